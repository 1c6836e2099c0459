/** Starting `hubwatch serve` and Chromium for the UI benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HubConfig } from '../src/shared/hub-config';
import { ROOT } from './bench-support';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** ms from spawn to the printed URL. */
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts `node bin/hubwatch.js serve` with these args and waits for its URL. */
export async function startServe(args: string[]): Promise<ServeProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [resolve(ROOT, 'bin/hubwatch.js'), 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /Hubwatch UI: (\S+)/.exec(out);
      if (match) done(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`hubwatch serve exited ${code}`)));
  });
  return {
    child,
    url,
    readyMs: performance.now() - started,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** Writes a config of `hubs` bot-hub hubs on the load generator's streams. */
export function generatorConfig(port: number, hubs: number): string {
  const config: { hubs: HubConfig[] } = {
    hubs: Array.from({ length: hubs }, (_, i) => ({
      id: `load-${i}`,
      name: `Load ${i}`,
      dialect: 'bot-hub',
      url: `http://127.0.0.1:${port}/hub/${i}`,
    })),
  };
  const path = join(tmpdir(), `hubwatch-bench-${process.pid}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** Debian's Chromium, headless, exactly as the e2e tests run it. */
export { launchChromium } from '../test/e2e/support/browser';
