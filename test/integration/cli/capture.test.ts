import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { HUB_EVENT_KEYS, type HubEvent } from '../../../src/shared/hub-event';
import { startTokenEchoHub, type TokenEchoHub } from '../../support/token-echo-hub';
import { runCli } from '../../support/cli';

let demo: DemoHub;
let dir: string;

function writeConfig(name: string, hubs: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ hubs }));
  return path;
}

function parseNdjson(text: string): HubEvent[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as HubEvent);
}

beforeAll(async () => {
  demo = await startDemoHub({ port: 0, rate: 20, speed: 4, heartbeatMs: 1000, pingIntervalMs: 1000 });
  dir = mkdtempSync(join(tmpdir(), 'hubwatch-capture-'));
});

afterAll(async () => {
  await demo?.close();
});

describe('hubwatch capture against the demo hub', () => {
  it('writes a valid HubEvent record for every event kind of every seed', async () => {
    const config = writeConfig('all.json', demo.config().hubs);
    const out = join(dir, 'all.ndjson');
    const run = await runCli(['capture', '--config', config, '--duration', '21', '--out', out], {
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(0);
    const events = parseNdjson(readFileSync(out, 'utf8'));
    const seen = new Set(events.map((event) => `${event.hub}:${event.event}`));
    const expected = [
      'bots:log',
      'bots:session',
      'cube:status',
      'cube:crash',
      'cube:deleted',
      'cube-ws:status',
      'cube-ws:crash',
      'cube-ws:deleted',
      'evo:message',
      'build:connected',
      'build:output',
      'build:heartbeat',
      'build:error',
      'build:complete',
      'bai:session_preparing',
      'bai:session_pulling',
      'bai:session_creating',
      'bai:session_started',
      'bai:session_terminated',
      'bai-task:task_updated',
      'bai-task:task_done',
      'bai-task:server_close',
      'bai-task-failed:tak_failed',
      'bai-task-cancelled:task_cancelled',
    ];
    for (const kind of expected) expect(seen, `missing ${kind}`).toContain(kind);

    const seqs = new Map<string, number>();
    for (const event of events) {
      expect(Object.keys(event)).toEqual([...HUB_EVENT_KEYS]);
      expect(event.seq).toBe((seqs.get(event.hub) ?? 0) + 1);
      seqs.set(event.hub, event.seq);
      expect(['debug', 'info', 'warn', 'error', 'state']).toContain(event.level);
      expect(event.id === null || (typeof event.id === 'string' && event.id !== '')).toBe(true);
      expect(Number.isFinite(event.time) && Number.isFinite(event.receivedAt)).toBe(true);
    }
    const crash = events.find((event) => event.event === 'crash')!;
    expect(crash).toMatchObject({ level: 'error', entity: { type: 'server' } });
    const payload = (crash.data as { Data: { payload: { timestamp: string } } }).Data.payload;
    expect(crash.time).toBe(Date.parse(payload.timestamp));
    const log = events.find((event) => event.event === 'log')!;
    expect(log.time).toBe((log.data as { timestamp_ms: number }).timestamp_ms);
    const output = events.find((event) => event.event === 'output')!;
    expect(output.entity).toMatchObject({ type: 'command' });
    expect(output.id).toMatch(/^\d+$/);
    const failed = events.find((event) => event.event === 'tak_failed')!;
    expect(failed.level).toBe('error');
    expect(run.stderr).toMatch(/build: ended/);
  }, 70_000);

  it('stops after exactly --count events', async () => {
    const config = writeConfig(
      'bots.json',
      demo.config().hubs.filter((hub) => hub.id === 'bots' || hub.id === 'evo'),
    );
    const run = await runCli(['capture', '--config', config, '--count', '25']);
    expect(run.code).toBe(0);
    expect(parseNdjson(run.stdout).filter((event) => event.event !== 'gap')).toHaveLength(25);
  });

  it('captures only the hubs named with --hub', async () => {
    const config = writeConfig('two.json', demo.config().hubs);
    const run = await runCli(['capture', '--config', config, '--hub', 'evo', '--count', '5']);
    expect(run.code).toBe(0);
    expect(new Set(parseNdjson(run.stdout).map((event) => event.hub))).toEqual(new Set(['evo']));
  });

  it('exits 0 once every hub has ended for good', async () => {
    const config = writeConfig(
      'ending.json',
      demo.config().hubs.filter((hub) => hub.id === 'build' || hub.id.startsWith('bai-task')),
    );
    const run = await runCli(['capture', '--config', config], { timeoutMs: 40_000 });
    expect(run.code).toBe(0);
    const events = parseNdjson(run.stdout);
    expect(events.filter((event) => event.event === 'complete')).toHaveLength(1);
    expect(events.filter((event) => event.event === 'server_close')).toHaveLength(3);
    expect(run.stderr).toMatch(/every hub has stopped/);
  }, 45_000);

  it('writes CSV with a header row and text with one line per event', async () => {
    const config = writeConfig(
      'evo.json',
      demo.config().hubs.filter((hub) => hub.id === 'evo'),
    );
    const csv = await runCli(['capture', '--config', config, '--count', '3', '--format', 'csv']);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('hub,seq,receivedAt,time,event,id,level,source,entity,message,data');
    expect(lines).toHaveLength(4);
    const text = await runCli(['capture', '--config', config, '--count', '3', '--format', 'text']);
    const textLines = text.stdout.trimEnd().split('\n');
    expect(textLines).toHaveLength(3);
    expect(textLines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z evo (debug|info|warn|error) /);
  });

  it('writes the raised alerts to --alerts', async () => {
    const config = writeConfig(
      'cube.json',
      demo.config().hubs.filter((hub) => hub.id === 'cube'),
    );
    const alerts = join(dir, 'alerts.ndjson');
    const run = await runCli([
      'capture',
      '--config',
      config,
      '--duration',
      '6',
      '--alerts',
      alerts,
      '--out',
      join(dir, 'cube.ndjson'),
    ]);
    expect(run.code).toBe(0);
    const lines = readFileSync(alerts, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ruleId: string; hub: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({ ruleId: 'protocube-crash', hub: 'cube' });
  }, 30_000);

  it('exits 1 naming the hub when every hub is refused its credentials', async () => {
    const bots = demo.config().hubs.find((hub) => hub.id === 'bots')!;
    const config = writeConfig('bad-token.json', [{ ...bots, auth: { type: 'bearer', token: 'wrong' } }]);
    const run = await runCli(['capture', '--config', config, '--duration', '10']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bots: failed: .*credentials|bots: failed: .*401/);
    expect(run.stderr).not.toContain('wrong');
  });

  it('writes everything it received and exits 0 on SIGINT', async () => {
    const config = writeConfig(
      'sigint.json',
      demo.config().hubs.filter((hub) => hub.id === 'evo'),
    );
    const run = await runCli(['capture', '--config', config], {
      onStarted: (child) => setTimeout(() => child.kill('SIGINT'), 2500),
    });
    expect(run.code).toBe(0);
    const events = parseNdjson(run.stdout);
    expect(events.length).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/SIGINT received: \d+ events/);
  });
});

describe('hubwatch capture with - for a file', () => {
  it('reads the config from stdin with --config -', async () => {
    const hubs = demo.config().hubs.filter((hub) => hub.id === 'evo');
    const run = await runCli(['capture', '--config', '-', '--count', '3'], {
      input: JSON.stringify({ hubs }),
    });
    expect(run.code).toBe(0);
    const events = parseNdjson(run.stdout).filter((event) => event.event !== 'gap');
    expect(events.map((event) => event.hub)).toEqual(['evo', 'evo', 'evo']);
  });

  it('refuses an invalid config on stdin with exit 2, saying it came from stdin', async () => {
    const run = await runCli(['capture', '--config', '-'], { input: '{ "hubs": [ ' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hubwatch capture: the config on stdin is not valid JSON/);
  });

  it('writes to stdout with --out -, and creates no file named -', async () => {
    const config = writeConfig(
      'out-dash.json',
      demo.config().hubs.filter((hub) => hub.id === 'evo'),
    );
    const cwd = mkdtempSync(join(tmpdir(), 'hubwatch-out-dash-'));
    const run = await runCli(['capture', '--config', config, '--count', '3', '--out', '-'], { cwd });
    expect(run.code).toBe(0);
    expect(parseNdjson(run.stdout).filter((event) => event.event !== 'gap')).toHaveLength(3);
    expect(existsSync(join(cwd, '-'))).toBe(false);
  });
});

describe('hubwatch capture with bad input', () => {
  it('exits 2 naming the hub and the field of an invalid config', async () => {
    const config = writeConfig('invalid.json', [
      { id: 'bots', dialect: 'bot-hub', url: 'http://127.0.0.1:1/events', auth: { type: 'bearer' } },
    ]);
    const run = await runCli(['capture', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/hub "bots".*auth\.token/);
  });

  it('exits 2 for a file that is not JSON, an unknown hub, a missing env secret and bad arguments', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "hubs": [ ');
    expect((await runCli(['capture', '--config', broken])).code).toBe(2);
    const good = writeConfig('good.json', [
      { id: 'evo', dialect: 'evoclaw', url: 'http://127.0.0.1:1/api/logs/stream' },
    ]);
    const unknown = await runCli(['capture', '--config', good, '--hub', 'nope']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('no hub "nope"')]);
    const envConfig = writeConfig('env.json', [
      {
        id: 'bots',
        dialect: 'bot-hub',
        url: 'http://127.0.0.1:1/events',
        auth: { type: 'bearer', token: { env: 'HUBWATCH_TEST_UNSET_TOKEN' } },
      },
    ]);
    const missing = await runCli(['capture', '--config', envConfig]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('HUBWATCH_TEST_UNSET_TOKEN')]);
    expect((await runCli(['capture', '--config', good, '--count', 'many'])).code).toBe(2);
    expect((await runCli(['capture', '--config', good, '--format', 'xml'])).code).toBe(2);
    expect((await runCli(['capture'])).code).toBe(2);
  });
});

describe('hubwatch capture across a reconnect', () => {
  let server: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    // Two events, then the connection drops; no ids, so the client cannot resume.
    server = createServer((req, res) => {
      connections++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('retry: 50\n\n');
      res.write(`data: {"msg":"first ${connections}"}\n\n`);
      res.write(`data: {"msg":"second ${connections}"}\n\n`);
      setTimeout(() => res.destroy(), 30);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('writes a gap marker that --count does not count', async () => {
    const config = writeConfig('gappy.json', [
      { id: 'gappy', dialect: 'generic', url: `http://127.0.0.1:${port}/`, fields: { message: 'msg' } },
    ]);
    const run = await runCli(['capture', '--config', config, '--count', '4']);
    expect(run.code).toBe(0);
    const events = parseNdjson(run.stdout);
    const gaps = events.filter((event) => event.event === 'gap');
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    expect(gaps[0]).toMatchObject({ level: 'warn', data: null, id: null });
    expect(events.filter((event) => event.event !== 'gap')).toHaveLength(4);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
  });
});

describe('hubwatch capture of a hub whose id and name contain its own token', () => {
  // A Protocube-like hub whose token `fleet` is also part of its id, its name, a server id,
  // and (carelessly) the crash reasons it sends.
  const TOKEN = 'fleet';
  let hub: TokenEchoHub;
  let url = '';

  beforeAll(async () => {
    hub = await startTokenEchoHub(TOKEN);
    url = hub.url;
  });

  afterAll(() => hub.close());

  const config = () =>
    writeConfig('fleet.json', [
      {
        id: 'ops-fleet',
        name: 'Ops fleet',
        dialect: 'protocube',
        url,
        auth: { type: 'bearer', token: TOKEN },
      },
    ]);

  it('keeps the hub, server and event names whole on stdout, stderr and --alerts, and masks the token in content', async () => {
    const alerts = join(dir, 'fleet-alerts.ndjson');
    const run = await runCli(['capture', '--config', config(), '--count', '2', '--alerts', alerts]);
    expect(run.code).toBe(0);
    const events = parseNdjson(run.stdout);
    expect(events.map((event) => [event.hub, event.event, event.entity?.id])).toEqual([
      ['ops-fleet', 'status', 'srv-fleet'],
      ['ops-fleet', 'crash', 'srv-fleet'],
    ]);
    const crash = events[1]!;
    // The message gets the credential patterns too; the payload only loses the known secret.
    expect(crash.message).toBe(
      'srv-fleet crashed: auth REDACTED expired, see http://h.test/e?token=REDACTED (exit 137)',
    );
    expect(crash.data).toEqual({
      Topic: 'crash',
      Data: {
        server_id: 'srv-fleet',
        payload: { reason: 'auth REDACTED expired, see http://h.test/e?token=abc123', exit_code: 137 },
      },
    });
    // The token shows nowhere but inside the identities.
    expect(run.stdout.replaceAll('ops-fleet', '').replaceAll('srv-fleet', '')).not.toContain(TOKEN);

    expect(run.stderr).toMatch(/^hubwatch: ops-fleet: connecting$/m);
    expect(run.stderr).toMatch(/^hubwatch: ops-fleet: open/m);
    expect(run.stderr).toMatch(/^hubwatch: alert: Server srv-fleet crashed on ops-fleet$/m);
    expect(run.stderr).not.toContain('REDACTED');

    const [alert] = readFileSync(alerts, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(alert).toMatchObject({
      hub: 'ops-fleet',
      entity: { type: 'server', id: 'srv-fleet' },
      title: 'Server srv-fleet crashed on ops-fleet',
      body: 'srv-fleet crashed: auth REDACTED expired, see http://h.test/e?token=REDACTED (exit 137)',
      event: { hub: 'ops-fleet', seq: 2 },
    });
  });

  it('with --scrub, also masks credential patterns in the payload', async () => {
    const run = await runCli(['capture', '--config', config(), '--count', '2', '--scrub']);
    expect(run.code).toBe(0);
    const crash = parseNdjson(run.stdout)[1]!;
    expect(crash.hub).toBe('ops-fleet');
    expect((crash.data as { Data: { payload: { reason: string } } }).Data.payload.reason).toBe(
      'auth REDACTED expired, see http://h.test/e?token=REDACTED',
    );
  });
});

describe('hubwatch capture of a hub whose event id HTTP cannot carry', () => {
  let server: Server;
  let port: number;
  const lastEventIds: (string | undefined)[] = [];

  beforeAll(async () => {
    // An id with a control character, the stream ends; the reconnect gets one more event,
    // and after that the hub is done (204).
    server = createServer((req, res) => {
      const header = req.headers['last-event-id'];
      lastEventIds.push(typeof header === 'string' ? header : undefined);
      if (lastEventIds.length > 2) return res.writeHead(204).end();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('retry: 20\n\n');
      res.end(lastEventIds.length === 1 ? 'id: a\u0001b\ndata: {"n":1}\n\n' : 'id: 2\ndata: {"n":2}\n\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('reconnects without it, writes a gap marker saying why, and exits when the hub ends', async () => {
    const config = writeConfig('control-id.json', [
      { id: 'ctl', dialect: 'generic', url: `http://127.0.0.1:${port}/` },
    ]);
    // No --duration: only the hub's end can stop it.
    const run = await runCli(['capture', '--config', config], { timeoutMs: 20_000 });
    expect(run.code).toBe(0);
    expect(lastEventIds).toEqual([undefined, undefined, '2']);
    const events = parseNdjson(run.stdout);
    expect(events.map((event) => [event.seq, event.event, event.source])).toEqual([
      [1, 'message', null],
      [2, 'gap', 'hubwatch'],
      [3, 'message', null],
    ]);
    expect(events[1]).toMatchObject({ level: 'warn', data: null, id: null });
    expect(events[1]!.message).toContain('"a\\u0001b" cannot be sent as Last-Event-ID');
    expect(run.stderr).toMatch(/reconnecting in 0\.0 s: the last event id/);
  });
});
