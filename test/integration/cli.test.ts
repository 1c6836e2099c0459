import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

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

describe('hubwatch help', () => {
  it('prints the top-level usage to stdout and exits 0', async () => {
    const help = await runCli(['help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/Usage: hubwatch <command>/)]);
    expect(help.stdout).toBe((await runCli(['--help'])).stdout);
  });

  it.each(['capture', 'demo-hub', 'serve'])(
    'help %s prints the same text as that command’s --help',
    async (command) => {
      const viaHelp = await runCli(['help', command]);
      const viaFlag = await runCli([command, '--help']);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: hubwatch ${command} `));
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
    },
  );

  it('exits 2 naming an unknown command it was asked about, on stderr', async () => {
    const run = await runCli(['help', 'frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^hubwatch help: unknown command 'frobnicate' \(see hubwatch --help\)/);
  });
});

describe('hubwatch without a command', () => {
  it('prints the usage to stderr, nothing to stdout, and exits 2', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Usage: hubwatch <command>/);
  });

  it('with --help prints the usage to stdout and exits 0', async () => {
    const run = await runCli(['--help']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/Usage: hubwatch <command>/);
  });
});

describe('an unknown option', () => {
  it.each(['capture', 'demo-hub', 'serve'])(
    'to %s is refused with exit 2, pointing to its --help',
    async (command) => {
      const run = await runCli([command, '--foo']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`hubwatch ${command}: unknown option --foo (see hubwatch ${command} --help)\n`);
    },
  );
});

describe('a mistake in the arguments', () => {
  it.each([
    [['capture', '--config'], 'hubwatch capture: --config needs a value (see hubwatch capture --help)'],
    [['capture', '--scrub=yes'], 'hubwatch capture: --scrub takes no value (see hubwatch capture --help)'],
    [['serve', 'extra'], "hubwatch serve: unexpected argument 'extra' (see hubwatch serve --help)"],
  ])('%j is refused with exit 2, naming it and pointing to --help', async (args, message) => {
    const run = await runCli(args);
    expect([run.code, run.stderr]).toEqual([2, `${message}\n`]);
  });
});

describe('--port', () => {
  it.each([
    ['serve', ''],
    ['serve', ' '],
    ['demo-hub', ''],
  ])('%s --port %j is refused with exit 2 rather than taken as port 0', async (command, port) => {
    const run = await runCli([command, '--port', port], { timeoutMs: 10_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^hubwatch ${command}: --port must be an integer from 0 to 65535`));
  });
});

describe('hubwatch serve --config -', () => {
  it('reads the config from stdin, refusing an invalid one with exit 2', async () => {
    const run = await runCli(['serve', '--port', '0', '--config', '-'], {
      input: JSON.stringify({ hubs: [{ id: 'evo', dialect: 'evoclaw' }] }),
      timeoutMs: 10_000,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hubwatch serve: the config on stdin is invalid:\n.*hub "evo".*url/);
  });
});
