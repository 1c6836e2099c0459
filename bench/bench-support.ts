/** Shared pieces of the benchmarks: the load generator process and how figures are printed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';

/** out/bench: where the entry script that is running lives (shared code sits in chunks/). */
export const OUT_BENCH = dirname(resolve(process.argv[1] ?? '.'));
export const ROOT = resolve(OUT_BENCH, '../..');

export interface Generator {
  port: number;
  child: ChildProcess;
  stats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Starts the load generator in its own process (its own core). */
export async function startGenerator(args: string[]): Promise<Generator> {
  const child = spawn(process.execPath, [resolve(OUT_BENCH, 'load-generator.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.stdout
      .setEncoding('utf8')
      .once('data', (line: string) => resolvePort((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`load generator exited ${code}`)));
  });
  return {
    port,
    child,
    async stats() {
      const response = await fetch(`http://127.0.0.1:${port}/stats`);
      return (await response.json()) as Record<string, number>;
    },
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

const figures: { name: string; value: string; how: string }[] = [];

/** Records and prints one figure with how it was measured. */
export function figure(name: string, value: string, how: string): void {
  figures.push({ name, value, how });
  process.stdout.write(`${name.padEnd(34)} ${value.padStart(18)}   ${how}\n`);
}

export function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} ev/s`;
}

export function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

/** Prints the figures as JSON on the last line, for scripts. */
export function printJsonSummary(): void {
  process.stdout.write(`BENCH_JSON ${JSON.stringify(figures)}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
