import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { HubwatchConfig } from '../../../src/shared/hub-config';
import { takeEvents } from './support';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const bin = resolve(root, 'bin/hubwatch.js');

/** Runs `hubwatch demo-hub ARGS` until its config is on stdout; returns it and a way to stop the process. */
function serve(args: string[]): Promise<{
  config: HubwatchConfig;
  stderr: () => string;
  stop: (signal: NodeJS.Signals) => Promise<number | null>;
}> {
  const child = spawn(process.execPath, [bin, 'demo-hub', ...args], { cwd: root });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((resolveServe, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      // The config is one pretty-printed JSON document ending in "}\n".
      if (!stdout.endsWith('}\n')) return;
      resolveServe({
        config: JSON.parse(stdout) as HubwatchConfig,
        stderr: () => stderr,
        stop: (signal) => {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`demo-hub exited ${code} early: ${stderr}`)));
  });
}

describe('hubwatch demo-hub', () => {
  it('serves, writes a usable config to stdout and the banner to stderr, and exits 0 on SIGTERM', async () => {
    const hub = await serve(['--port', '0', '--rate', '200', '--seed', '3']);
    const bots = hub.config.hubs.find((h) => h.id === 'bots');
    expect(bots?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bot-hub\/events$/);
    const token = bots?.auth?.type === 'bearer' && typeof bots.auth.token === 'string' ? bots.auth.token : '';
    expect(token).toBe('demo-bot-token');
    const events = await takeEvents(bots!.url, 3, { Authorization: `Bearer ${token}` });
    expect(events).toHaveLength(3);
    const base = bots!.url.replace('/bot-hub/events', '');
    await expect.poll(hub.stderr).toContain(`listening on ${base}`);
    for (const expected of [
      '/protocube/api/events/ws',
      '/rdev/projects/demo/shell',
      'rdev_demo_key',
      'AKIADEMOHUBWATCH0001',
    ]) {
      expect(hub.stderr()).toContain(expected);
    }
    expect(await hub.stop('SIGTERM')).toBe(0);
  });

  it('stops cleanly with exit 0 on SIGINT', async () => {
    const hub = await serve(['--port', '0']);
    expect(await hub.stop('SIGINT')).toBe(0);
  });

  it('prints the config for a port with --print-config and exits without serving', async () => {
    const { stdout } = await run(process.execPath, [bin, 'demo-hub', '--print-config', '--port', '9123'], {
      cwd: root,
    });
    const config = JSON.parse(stdout) as HubwatchConfig;
    expect(config.hubs).toHaveLength(9);
    expect(config.hubs[0]?.url).toBe('http://127.0.0.1:9123/bot-hub/events');
    expect(config.hubs.find((h) => h.id === 'cube-ws')?.url).toBe(
      'ws://127.0.0.1:9123/protocube/api/events/ws',
    );
  });

  it.each([
    [['--rate', 'fast'], /--rate/],
    [['--port', 'x'], /--port/],
    [['--fail-status', '418'], /--fail-status/],
    [['--frobnicate'], /frobnicate/],
    [['--print-config', '--port', '0'], /--print-config/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const error = (await run(process.execPath, [bin, 'demo-hub', ...args], { cwd: root }).catch(
      (e: unknown) => e,
    )) as {
      code: number;
      stderr: string;
    };
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(message);
  });

  it('lists every knob and the rdev commands in --help', async () => {
    const { stdout } = await run(process.execPath, [bin, 'demo-hub', '--help'], { cwd: root });
    for (const flag of [
      '--rate',
      '--seed',
      '--drop-after',
      '--stall-after',
      '--fail-first',
      '--split',
      '--no-pong',
      '--print-config',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('npm test');
  });
});
