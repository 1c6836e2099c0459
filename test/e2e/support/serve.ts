import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

/** A running `hubwatch serve` child process. */
export interface ServeProcess {
  /** The URL it printed, with the access token. */
  openUrl: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  token: string;
  /** What it wrote to stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node bin/hubwatch.js serve --port 0 [--data TMP] …args` and waits for the URL it prints.
 * The built CLI and renderer must exist (`npm test` builds first).
 */
export async function startServe(args: string[] = [], timeoutMs = 30_000): Promise<ServeProcess> {
  // Each instance its own data folder (its history), unless the test names one.
  const data =
    args.includes('--data') || args.includes('--no-history')
      ? []
      : ['--data', mkdtempSync(join(tmpdir(), 'hubwatch-serve-'))];
  const child: ChildProcess = spawn(
    process.execPath,
    [resolve(ROOT, 'bin/hubwatch.js'), 'serve', '--port', '0', ...data, ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const openUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `hubwatch serve printed no URL within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Hubwatch UI: (\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`hubwatch serve exited (${code ?? signal}) before printing its URL.\nstderr: ${stderr}`),
      );
    });
  });
  const url = new URL(openUrl);
  return {
    openUrl,
    origin: url.origin,
    token: url.searchParams.get('token') ?? '',
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          done();
          return;
        }
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
