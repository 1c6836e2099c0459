import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppLog, LOG_FILE_NAME, rotatedLogPath } from '../../../src/main/app-log';
import { createRedactor } from '../../../src/main/engine/redaction';

const SECRET = 'sk-live-7f3c9a1e5b';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hubwatch-app-log-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const read = (path = join(dir, LOG_FILE_NAME)) => readFileSync(path, 'utf8');

/** A log that redacts `SECRET` like the workspace would. */
function redactingLog(options: { maxBytes?: number; keptFiles?: number } = {}): AppLog {
  const log = new AppLog({ dir, ...options });
  log.redactWith((text) => createRedactor([SECRET]).text(text));
  return log;
}

describe('the desktop app’s log file', () => {
  it('gets one line per entry in main.log of the log folder, with time and level', () => {
    const log = redactingLog();
    log.info('bots: open');
    log.error('hubwatch: engine listener failed:', new Error('boom'));
    expect(log.file).toBe(join(dir, 'main.log'));
    const text = read();
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[info\] {2}bots: open$/m);
    expect(text).toMatch(/\[error\] hubwatch: engine listener failed: Error: boom/);
    // An error's stack comes along: where it failed is the point of the file.
    expect(text).toMatch(/at .*app-log\.test\.ts/);
  });

  it('redacts a secret anywhere in a line: text, an error’s message, an object', () => {
    const log = redactingLog();
    log.warn(`GET https://hub.test/events?token=${SECRET}`);
    log.error('connect failed:', new Error(`401 for Bearer ${SECRET}`));
    log.info({ header: `Authorization: Bearer ${SECRET}`, nested: { value: SECRET } });
    const text = read();
    expect(text).not.toContain(SECRET);
    expect(text.match(/REDACTED/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('holds lines until it knows the redaction, then writes them through it in order', () => {
    const log = new AppLog({ dir });
    log.info(`first ${SECRET}`);
    log.warn('second');
    expect(existsSync(log.file)).toBe(false);
    log.redactWith((text) => createRedactor([SECRET]).text(text));
    log.info('third');
    const lines = read().trimEnd().split('\n');
    expect(lines.map((line) => line.replace(/^\[[^\]]+\] \[\w+\] +/, ''))).toEqual([
      'first REDACTED',
      'second',
      'third',
    ]);
  });

  it('rotates past its size: main.log starts over and the previous files are kept, the oldest dropped', () => {
    const log = redactingLog({ maxBytes: 2_000, keptFiles: 2 });
    const line = (n: number) => `line ${String(n).padStart(4, '0')} ${'x'.repeat(90)}`;
    for (let n = 1; n <= 80; n++) log.info(line(n));
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    for (const name of names) {
      // Rotated before the next line once past the size: never much more than it.
      expect(read(join(dir, name)).length).toBeLessThanOrEqual(2_000 + 200);
    }
    const numbers = (name: string) =>
      [...read(join(dir, name)).matchAll(/line (\d{4})/g)].map((match) => Number(match[1]));
    const newest = numbers('main.log');
    const previous = numbers('main.1.log');
    const oldest = numbers('main.2.log');
    // Consecutive across the files: nothing lost between them, only the oldest dropped.
    expect([...oldest, ...previous, ...newest]).toEqual(
      Array.from({ length: oldest.length + previous.length + newest.length }, (_, i) => oldest[0]! + i),
    );
    expect(newest.at(-1)).toBe(80);
    expect(oldest[0]).toBeGreaterThan(1);
    expect(rotatedLogPath(log.file, 2)).toBe(join(dir, 'main.2.log'));
  });

  it('keeps every line when the file cannot be rotated, and says why', () => {
    // A directory where the rotated copy should go: the rename fails.
    mkdirSync(join(dir, 'main.1.log', 'inside'), { recursive: true });
    const log = redactingLog({ maxBytes: 500, keptFiles: 1 });
    for (let n = 1; n <= 30; n++) log.info(`line ${n} ${'x'.repeat(40)}`);
    const text = read();
    expect([...text.matchAll(/line (\d+) x/g)].map((match) => Number(match[1]))).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(
      text.match(/\[warn\] {2}log rotation failed; .*main\.log grows until Hubwatch restarts/g),
    ).toHaveLength(1);
  });

  it('copies console.error and console.warn into the file, which still print as before', () => {
    const log = redactingLog();
    const printed: unknown[][] = [];
    const fakeConsole = {
      error: (...args: unknown[]) => void printed.push(['error', ...args]),
      warn: (...args: unknown[]) => void printed.push(['warn', ...args]),
    };
    const undo = log.captureConsole(fakeConsole);
    fakeConsole.error('hubwatch: engine listener failed:', `token ${SECRET}`);
    fakeConsole.warn('careful');
    undo();
    fakeConsole.error('after the undo');
    expect(printed).toEqual([
      ['error', 'hubwatch: engine listener failed:', `token ${SECRET}`],
      ['warn', 'careful'],
      ['error', 'after the undo'],
    ]);
    const text = read();
    expect(text).toMatch(/\[error\] hubwatch: engine listener failed: token REDACTED/);
    expect(text).toMatch(/\[warn\] {2}careful/);
    expect(text).not.toContain('after the undo');
  });

  it('logs uncaught exceptions and unhandled rejections, and hands the exception on redacted', () => {
    const log = redactingLog();
    const processEvents = new EventEmitter();
    const shown: string[] = [];
    const undo = log.catchUncaught(processEvents, (_error, redacted) => shown.push(redacted));
    processEvents.emit('uncaughtException', new Error(`crashed near ${SECRET}`));
    processEvents.emit('unhandledRejection', new Error('nobody awaited this'), Promise.resolve());
    undo();
    expect(processEvents.listenerCount('uncaughtException')).toBe(0);
    expect(processEvents.listenerCount('unhandledRejection')).toBe(0);
    const text = read();
    expect(text).toMatch(/\[error\] uncaught exception: Error: crashed near REDACTED/);
    expect(text).toMatch(/\[error\] unhandled promise rejection: Error: nobody awaited this/);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^Error: crashed near REDACTED\n\s+at /);
  });
});
