import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'bin/hubwatch.js');

describe('the hubwatch command', () => {
  it('lists its commands with --help', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help'], { cwd: root });
    expect(stdout).toMatch(/Usage: hubwatch <command>/);
    for (const command of ['capture', 'demo-hub', 'serve']) expect(stdout).toContain(command);
  });

  it('exits 2 with a clear message for an unknown command', async () => {
    const error = await run(process.execPath, [bin, 'frobnicate'], { cwd: root }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 2 });
    expect((error as { stderr: string }).stderr).toContain("unknown command 'frobnicate'");
  });

  it('logs to stderr only: its build holds nothing of the desktop app’s log file', () => {
    const dir = resolve(root, 'out/cli');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.js'),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) expect(readFileSync(join(dir, name), 'utf8'), name).not.toMatch(/electron-log/);
    // The desktop build does use it: the check above looks for the right name.
    expect(readFileSync(resolve(root, 'out/main/index.js'), 'utf8')).toMatch(/electron-log/);
  });
});
