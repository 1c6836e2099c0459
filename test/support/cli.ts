import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = resolve(ROOT, 'bin/hubwatch.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `hubwatch` command; `onStarted` gets the child (to signal it). */
export function runCli(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    /** The working directory (default: the repository). */
    cwd?: string;
    timeoutMs?: number;
    /** Written to the command's stdin, which then ends (at once, without it). */
    input?: string;
    onStarted?: (child: ChildProcess) => void;
  } = {},
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `hubwatch ${args.join(' ')} did not exit within ${options.timeoutMs ?? 60_000} ms\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.stdin.end(options.input);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolvePromise({ code, signal, stdout, stderr }));
    });
    options.onStarted?.(child);
  });
}
