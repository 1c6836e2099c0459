/**
 * `hubwatch history` as an operator runs it: the built command against a history folder
 * written by the engine's own History (what serve, the desktop app and capture use).
 */
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IngestedEvent } from '../../../src/main/engine/event-record';
import { History } from '../../../src/main/engine/history/history';
import type { HubEvent, JsonValue, Level } from '../../../src/shared/hub-event';
import { runCli } from '../../support/cli';

let data = '';
const NOW = Date.now();
const MINUTE = 60_000;

function record(hub: string, seq: number, minutesAgo: number, level: Level, message: string, code: number) {
  const at = NOW - minutesAgo * MINUTE;
  const raw = JSON.stringify({ code, message });
  return new IngestedEvent(
    hub,
    seq,
    at,
    at,
    'log',
    String(seq),
    level,
    null,
    null,
    message,
    JSON.parse(raw) as JsonValue,
    raw,
    false,
  );
}

function parse(text: string): HubEvent[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as HubEvent);
}

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'hubwatch-history-cli-'));
  const history = await History.open({ dir: join(data, 'history') });
  let arrival = 0;
  // Two hubs, 100 events each, one a minute, oldest first; every tenth an error with code 500+.
  for (let i = 1; i <= 100; i++) {
    for (const hub of ['alpha', 'beta']) {
      const error = i % 10 === 0;
      history.append(
        record(
          hub,
          i,
          100 - i,
          error ? 'error' : 'info',
          `${hub} ${error ? 'timeout' : 'ok'} ${i}`,
          error ? 500 + i : 200,
        ),
        ++arrival,
        'generic',
      );
    }
  }
  await history.close();
});

describe('hubwatch history', () => {
  it('writes every stored record oldest first as NDJSON HubEvents', async () => {
    const run = await runCli(['history', '--data', data]);
    expect(run.code, run.stderr).toBe(0);
    const events = parse(run.stdout);
    expect(events).toHaveLength(200);
    expect(events[0]).toMatchObject({ hub: 'alpha', seq: 1, message: 'alpha ok 1', data: { code: 200 } });
    const times = events.map((event) => event.receivedAt);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('accepts the history folder itself as --data', async () => {
    const run = await runCli(['history', '--data', join(data, 'history'), '--count', '3']);
    expect(run.code, run.stderr).toBe(0);
    expect(parse(run.stdout).map((event) => event.seq)).toEqual([1, 1, 2]);
  });

  it('selects by hub, time span and the field-predicate language, and stops at --count', async () => {
    const run = await runCli([
      'history',
      '--data',
      data,
      '--hub',
      'beta',
      '--since',
      '45m',
      '--filter',
      'level == "error" && data.code >= 560',
    ]);
    expect(run.code, run.stderr).toBe(0);
    // Within 45 minutes: i ≥ 55; errors: 60, 70, 80, 90, 100 (codes 560…600).
    expect(parse(run.stdout).map((event) => [event.hub, event.seq])).toEqual([
      ['beta', 60],
      ['beta', 70],
      ['beta', 80],
      ['beta', 90],
      ['beta', 100],
    ]);
    const regex = await runCli([
      'history',
      '--data',
      data,
      '--filter',
      'message ~ /TIMEOUT [0-9]+0$/i',
      '--count',
      '4',
    ]);
    expect(parse(regex.stdout).map((event) => event.message)).toEqual([
      'alpha timeout 10',
      'beta timeout 10',
      'alpha timeout 20',
      'beta timeout 20',
    ]);
  });

  it('takes ISO 8601 times for --since and --until', async () => {
    const since = new Date(NOW - 10.5 * MINUTE).toISOString();
    const until = new Date(NOW - 7.5 * MINUTE).toISOString();
    const run = await runCli([
      'history',
      '--data',
      data,
      '--hub',
      'alpha',
      '--since',
      since,
      '--until',
      until,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(parse(run.stdout).map((event) => event.seq)).toEqual([90, 91, 92]);
  });

  it('writes CSV and text to a file with --out', async () => {
    const out = join(data, 'errors.csv');
    const run = await runCli([
      'history',
      '--data',
      data,
      '--filter',
      'level == "error"',
      '--format',
      'csv',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + 20);
    expect(lines[0]).toMatch(/^hub,seq,/);
    const text = await runCli(['history', '--data', data, '--format', 'text', '--count', '1']);
    expect(text.stdout).toMatch(/alpha info .*alpha ok 1/);
  });

  it('prints per-hub events, first and last time, and size with --stats', async () => {
    const run = await runCli(['history', '--data', data, '--stats']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^HUB\s+EVENTS\s+FIRST\s+LAST\s+SIZE$/);
    expect(lines[1]).toMatch(new RegExp(`^alpha\\s+100\\s+${new Date(NOW - 99 * MINUTE).toISOString()}\\s+`));
    expect(lines[2]).toMatch(/^beta\s+100\s/);
    expect(lines.at(-1)).toMatch(/^200 events in 2 hubs, [\d.]+ (B|KB|MB) on disk$/);
  });

  it('exits 2 with a clear message for a missing folder, an empty one, a bad filter or a bad time', async () => {
    const missing = await runCli(['history', '--data', join(data, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no history at .*nope: the folder does not exist/);

    const empty = join(data, 'empty');
    mkdirSync(empty);
    const none = await runCli(['history', '--data', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/holds no Hubwatch history/);

    const badFilter = await runCli(['history', '--data', data, '--filter', 'level ==']);
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr).toMatch(/^hubwatch history: --filter: /);

    const badRegex = await runCli(['history', '--data', data, '--filter', 'message ~ /(/']);
    expect(badRegex.code).toBe(2);

    const badTime = await runCli(['history', '--data', data, '--since', 'yesterday']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/--since must be an ISO 8601 time .* got 'yesterday'/);

    const reversed = await runCli(['history', '--data', data, '--since', '1m', '--until', '2h']);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--since is after --until/);
  });

  it('finds the default data folder through XDG_DATA_HOME', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'hubwatch-xdg-'));
    const run = await runCli(['history', '--count', '1'], { env: { XDG_DATA_HOME: xdg } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(join(xdg, 'hubwatch'));
  });
});
