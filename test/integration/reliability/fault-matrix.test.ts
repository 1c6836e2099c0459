/**
 * The fault matrix: for each way a hub misbehaves, the engine runs the faulty hub next to a
 * healthy control hub and the test checks docs/architecture.md's promises — the hub recovers or stops
 * as designed, nothing is duplicated, nothing is lost where the server can resume, the
 * other hubs are unaffected, and the operator can see why. The observed results become the
 * table in docs/reliability.md (written at the end of the file's run, only when every
 * scenario ran).
 */
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultSettingsFrom,
  startDemoHub,
  type DemoHub,
  type DemoHubOptions,
} from '../../../src/demo-hub/demo-hub';
import { planCommand } from '../../../src/demo-hub/rdev';
import { Engine } from '../../../src/main/engine/engine';
import type { EngineEvent } from '../../../src/main/engine/event-record';
import type { HubConnectionOptions } from '../../../src/main/engine/transports/hub-connection';
import { describeState, type ConnectionState, type HubStats } from '../../../src/shared/connection-state';
import type { HubConfig } from '../../../src/shared/hub-config';
import { startTestServer, waitFor } from '../../support/sse-test-server';
import { stable, writeMatrix, type MatrixRow } from './matrix-report';

const REPORT = resolve(import.meta.dirname, '../../../docs/reliability.md');
const CONTROL = 'control';
const BOT_TOKEN = 'demo-bot-token';
/** Fast reconnects (a fixed mid-range jitter) so scenarios finish in seconds on real timers. */
const CONNECTION: HubConnectionOptions = { backoffBaseMs: 20, backoffCapMs: 200, random: () => 0.5 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The control hub's server, shared by every scenario and never faulted. */
let controlHub: DemoHub;
beforeAll(async () => {
  controlHub = await startDemoHub({ port: 0, rate: 20 });
});
afterAll(async () => {
  await controlHub.close();
});

async function demoHub(options: DemoHubOptions = {}): Promise<DemoHub> {
  const hub = await startDemoHub({ port: 0, ...options });
  cleanups.push(() => hub.close());
  return hub;
}

// ---------------------------------------------------------------------------------------
// Hub configs
// ---------------------------------------------------------------------------------------

function botHub(id: string, base: string, query = '', extra: Partial<HubConfig> = {}): HubConfig {
  return {
    id,
    dialect: 'bot-hub',
    url: `${base}/bot-hub/events${query === '' ? '' : `?${query}`}`,
    auth: { type: 'bearer', token: BOT_TOKEN },
    ...extra,
  };
}

function rdevHub(id: string, base: string, extra: Partial<HubConfig> = {}): HubConfig {
  return {
    id,
    dialect: 'rdev',
    url: `${base}/rdev`,
    project: 'demo',
    command: 'npm test',
    auth: { type: 'header', name: 'X-API-Key', value: 'rdev_demo_key' },
    ...extra,
  };
}

function cubeWsHub(id: string, base: string, query: string): HubConfig {
  return {
    id,
    dialect: 'protocube',
    transport: 'websocket',
    url: `${base.replace(/^http/, 'ws')}/protocube/api/events/ws?${query}`,
    auth: { type: 'bearer', token: 'sls_live_demo' },
  };
}

function controlConfig(): HubConfig {
  return botHub(CONTROL, controlHub.url, 'seed=7');
}

/** How many events (ids 1..N) the demo hub's `npm test` produces with these settings. */
function rdevEventCount(options: DemoHubOptions): number {
  return planCommand('cmd-001', 'demo', 'npm test', defaultSettingsFrom(options)).length;
}

// ---------------------------------------------------------------------------------------
// One engine run, recorded
// ---------------------------------------------------------------------------------------

interface HubLog {
  records: EngineEvent[];
  states: { state: ConnectionState; at: number }[];
  /** How many states came before `finish()`; those after are the stop's own. */
  statesBeforeStop?: number;
}

class EngineRun {
  readonly engine: Engine;
  private readonly logs = new Map<string, HubLog>();

  constructor(hubs: HubConfig[], connection: HubConnectionOptions = {}) {
    this.engine = new Engine({
      capacityPerHub: 20_000,
      batchDelayMs: 10,
      connection: { ...CONNECTION, ...connection },
    });
    for (const hub of hubs) this.logs.set(hub.id, { records: [], states: [] });
    this.engine.subscribe({
      onEvents: (batch) => {
        for (const record of batch) this.log(record.hub).records.push(record);
      },
      onState: (hub, state) => {
        this.log(hub).states.push({ state, at: performance.now() });
      },
    });
    this.engine.setHubs(hubs);
    cleanups.push(() => this.engine.stop());
    this.engine.start();
  }

  /**
   * Stops the engine, which flushes every record still batched for subscribers, so checks
   * see all of them; states reported by the stop itself (idle) are left out of `states`.
   */
  async finish(): Promise<void> {
    for (const log of this.logs.values()) log.statesBeforeStop = log.states.length;
    await this.engine.stop();
  }

  log(hub: string): HubLog {
    const log = this.logs.get(hub);
    if (!log) throw new Error(`no hub ${hub}`);
    return log;
  }

  /** Records that are events (not gap markers). */
  events(hub: string): EngineEvent[] {
    return this.log(hub).records.filter((record) => record.gap !== true);
  }

  gaps(hub: string): EngineEvent[] {
    return this.log(hub).records.filter((record) => record.gap === true);
  }

  count(hub: string): number {
    return this.events(hub).length;
  }

  /** States with the time they were reported, without those of the final stop. */
  timeline(hub: string): { state: ConnectionState; at: number }[] {
    const log = this.log(hub);
    return log.states.slice(0, log.statesBeforeStop ?? log.states.length);
  }

  stateNames(hub: string): string[] {
    return this.timeline(hub).map(({ state }) => state.state);
  }

  states<N extends ConnectionState['state']>(hub: string, name: N): Extract<ConnectionState, { state: N }>[] {
    return this.timeline(hub)
      .map(({ state }) => state)
      .filter((state): state is Extract<ConnectionState, { state: N }> => state.state === name);
  }

  has(hub: string, name: ConnectionState['state']): boolean {
    return this.timeline(hub).some(({ state }) => state.state === name);
  }

  /** The last state before the stop. */
  current(hub: string): ConnectionState {
    return this.timeline(hub).at(-1)?.state ?? { state: 'idle' };
  }

  /** Opens after the first: each is a reconnect that got through. */
  reopened(hub: string): number {
    return Math.max(0, this.states(hub, 'open').length - 1);
  }

  stats(hub: string): HubStats {
    const info = this.engine.hub(hub);
    if (!info) throw new Error(`no hub ${hub}`);
    return info.stats;
  }

  /** The distinct reconnect reasons, in the order they first appeared. */
  reasons(hub: string): string[] {
    return [...new Set(this.states(hub, 'reconnecting').map((state) => stable(state.reason)))];
  }

  /** The distinct gap marker texts. */
  gapTexts(hub: string): string[] {
    return [...new Set(this.gaps(hub).map((record) => record.message ?? ''))];
  }
}

// ---------------------------------------------------------------------------------------
// The checks every scenario makes
// ---------------------------------------------------------------------------------------

/** seq is 1, 2, 3… over events and gap markers together: nothing repeated, nothing skipped. */
function expectContiguous(run: EngineRun, hub: string): void {
  const seqs = run.log(hub).records.map((record) => record.seq);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
}

/** Waits for the fault to show, then for the control hub to receive more events after it. */
async function faultThenControlGoesOn(run: EngineRun, faultSeen: () => boolean, what: string): Promise<void> {
  await waitFor(faultSeen, what, 20_000);
  const mark = run.count(CONTROL);
  await waitFor(
    () => run.count(CONTROL) >= mark + 5,
    'the control hub to keep receiving after the fault',
    15_000,
  );
  await run.finish();
}

/** The control hub: open from the start, never reconnected, no gap, every record in order. */
function checkControl(run: EngineRun): string {
  expect(run.stateNames(CONTROL)).toEqual(['connecting', 'open']);
  expect(run.gaps(CONTROL)).toEqual([]);
  expect(run.events(CONTROL).some((record) => record.malformed)).toBe(false);
  expectContiguous(run, CONTROL);
  const stats = run.stats(CONTROL);
  expect(stats.reconnects).toBe(0);
  expect(stats.gaps).toBe(0);
  return 'unaffected: the control hub stayed open, kept receiving after the fault, no reconnect, no gap';
}

/** rdev: ids 1..N exactly once each, ending with `complete`. */
function checkRdevComplete(run: EngineRun, hub: string, expected: number): void {
  const events = run.events(hub);
  expect(events.map((record) => record.id)).toEqual(
    Array.from({ length: expected }, (_, i) => String(i + 1)),
  );
  expect(events.at(-1)?.event).toBe('complete');
  expect(run.current(hub)).toMatchObject({ state: 'ended', reason: 'completed' });
  expect(run.gaps(hub)).toEqual([]);
}

function describeOperatorView(run: EngineRun, hub: string, extra: string[] = []): string {
  const parts: string[] = [];
  for (const reason of run.reasons(hub)) parts.push(`"reconnecting: ${reason}"`);
  for (const text of run.gapTexts(hub)) parts.push(`gap marker "${text}"`);
  const state = run.current(hub);
  if (state.state === 'ended' || state.state === 'failed') parts.push(`"${stable(describeState(state))}"`);
  parts.push(...extra);
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------
// Scenarios and the report
// ---------------------------------------------------------------------------------------

const registered: string[] = [];
const rows = new Map<string, MatrixRow>();

/** One row of the matrix: an `it` whose result (or failure) is recorded under `fault`. */
function scenario(fault: string, title: string, body: () => Promise<Omit<MatrixRow, 'fault'>>): void {
  registered.push(fault);
  it(`${fault}: ${title}`, async () => {
    try {
      rows.set(fault, { fault, ...(await body()) });
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      rows.set(fault, {
        fault,
        did: '',
        asDesigned: `FAILED: ${message}`,
        duplicates: '',
        lost: '',
        otherHubs: '',
        operatorSees: '',
      });
      throw error;
    }
  });
}

afterAll(() => {
  // A filtered run (-t) leaves scenarios out: keep the committed table instead of a partial one.
  if (registered.every((fault) => rows.has(fault))) {
    writeMatrix(
      REPORT,
      registered.map((fault) => rows.get(fault)!),
    );
  }
});

describe('the fault matrix', () => {
  scenario(
    'drop mid-frame (SSE, dropAfter=4)',
    'rdev resumes from Last-Event-ID with every id exactly once, bot-hub marks a gap per reconnect, the half frame is never delivered',
    async () => {
      const options: DemoHubOptions = { speed: 4, heartbeatMs: 250, faults: { dropAfter: 4 } };
      const hub = await demoHub(options);
      const expected = rdevEventCount(options);
      const run = new EngineRun([
        rdevHub('build', hub.url),
        botHub('bots', hub.url, 'rate=20'),
        controlConfig(),
      ]);
      await faultThenControlGoesOn(
        run,
        () => run.has('build', 'ended') && run.stats('bots').gaps >= 2,
        'rdev to complete and bot-hub to reconnect twice',
      );
      checkRdevComplete(run, 'build', expected);
      // Every connection carried 4 events, so rdev needed a reconnect per 4 ids.
      expect(run.stats('build').reconnects).toBeGreaterThanOrEqual(Math.floor((expected - 1) / 4));
      expect(run.stats('build').duplicatesSkipped).toBe(0);
      for (const id of ['build', 'bots']) {
        expectContiguous(run, id);
        // The half frame is dropped with the connection, never delivered as a broken record.
        expect(run.events(id).some((record) => record.malformed)).toBe(false);
      }
      // bot-hub sends no ids: each reconnect may have missed events, and says so in place.
      expect(run.gaps('bots').length).toBe(run.reopened('bots'));
      expect(run.reasons('bots')).toEqual(['connection lost: terminated']);
      expect(run.reasons('build')).toEqual(['connection lost: terminated']);
      return {
        did: `rdev: reconnected after every cut with Last-Event-ID and ran to "complete"; bot-hub: reconnected after every cut and went on`,
        asDesigned: 'recovered as designed',
        duplicates: 'none (seq contiguous; rdev ids unique, 0 re-sent events skipped)',
        lost: `none where resumable: rdev ids 1..${expected} all present; bot-hub has no ids, so a gap marker stands at every reconnect`,
        otherHubs: checkControl(run),
        operatorSees: describeOperatorView(run, 'bots', [`rdev "${describeState(run.current('build'))}"`]),
      };
    },
  );

  scenario(
    'stall (stallAfter=5, silence watchdog 0.5 s)',
    'the watchdog reconnects a silent stream, rdev resumes without loss and bot-hub marks gaps',
    async () => {
      const options: DemoHubOptions = { speed: 4, heartbeatMs: 100, faults: { stallAfter: 5 } };
      const hub = await demoHub(options);
      const expected = rdevEventCount(options);
      const run = new EngineRun([
        rdevHub('build', hub.url, { silenceTimeoutSec: 0.5 }),
        botHub('bots', hub.url, 'rate=20', { silenceTimeoutSec: 0.5 }),
        controlConfig(),
      ]);
      await faultThenControlGoesOn(
        run,
        () => run.has('build', 'ended') && run.stats('bots').gaps >= 1 && run.count('bots') > 5,
        'rdev to complete and bot-hub to recover from a stall',
      );
      checkRdevComplete(run, 'build', expected);
      expect(run.reasons('build')).toEqual(['no data for 0.5 s']);
      expect(run.reasons('bots')).toEqual(['no data for 0.5 s']);
      expect(run.gaps('bots').length).toBe(run.reopened('bots'));
      expectContiguous(run, 'build');
      expectContiguous(run, 'bots');
      return {
        did: 'no byte for 0.5 s: the watchdog dropped the connection and reconnected; rdev resumed with Last-Event-ID and completed',
        asDesigned: 'recovered as designed',
        duplicates: 'none (seq contiguous; rdev ids unique)',
        lost: `none where resumable: rdev ids 1..${expected} all present; bot-hub: gap marker at each reconnect`,
        otherHubs: checkControl(run),
        operatorSees: describeOperatorView(run, 'bots'),
      };
    },
  );

  for (const status of [500, 503, 429] as const) {
    scenario(
      `HTTP ${status} with Retry-After: 1 (failFirst=2)`,
      'retries no sooner than Retry-After each time, then opens and streams',
      async () => {
        const hub = await demoHub();
        const run = new EngineRun([
          botHub('bots', hub.url, `rate=20&failFirst=2&failStatus=${status}&retryAfter=1`),
          controlConfig(),
        ]);
        await faultThenControlGoesOn(
          run,
          () => run.has('bots', 'open') && run.count('bots') >= 3,
          'the hub to open after two failures',
        );
        const retries = run.states('bots', 'reconnecting');
        expect(retries).toHaveLength(2);
        for (const retry of retries) {
          expect(retry.reason).toMatch(new RegExp(`^HTTP ${status}\\b`));
          expect(retry.delayMs).toBeGreaterThanOrEqual(1000);
        }
        // The waits really lasted: each next attempt started at least Retry-After later.
        const states = run.timeline('bots');
        for (let i = 0; i < states.length; i++) {
          if (states[i]!.state.state !== 'reconnecting') continue;
          const next = states.slice(i + 1).find(({ state }) => state.state === 'connecting');
          expect(next!.at - states[i]!.at).toBeGreaterThanOrEqual(990);
        }
        expect(run.gaps('bots')).toEqual([]);
        expectContiguous(run, 'bots');
        return {
          did: `answered ${status} twice: waited at least the Retry-After (1 s) plus jitter each time, then opened and streamed`,
          asDesigned: 'recovered as designed',
          duplicates: 'none (seq contiguous)',
          lost: 'none: the stream had not opened before the failures',
          otherHubs: checkControl(run),
          operatorSees: describeOperatorView(run, 'bots'),
        };
      },
    );
  }

  scenario('HTTP 401 (wrong token)', 'stops as failed, credentials rejected, without retrying', async () => {
    const hub = await demoHub();
    const run = new EngineRun([
      botHub('bots', hub.url, '', { auth: { type: 'bearer', token: 'wrong-token' } }),
      controlConfig(),
    ]);
    await faultThenControlGoesOn(run, () => run.has('bots', 'failed'), 'the hub to fail');
    expect(run.current('bots')).toMatchObject({ state: 'failed', reason: 'credentials_rejected' });
    expect(run.stateNames('bots')).toEqual(['connecting', 'failed']);
    expect(run.stats('bots').reconnects).toBe(0);
    expect(run.log('bots').records).toEqual([]);
    return {
      did: 'got 401 on the first request and stopped; no retry',
      asDesigned: 'stopped as designed (failed: credentials_rejected)',
      duplicates: 'none (no records)',
      lost: 'n/a: the hub never opened',
      otherHubs: checkControl(run),
      operatorSees: describeOperatorView(run, 'bots'),
    };
  });

  scenario('HTTP 204 (purpose-built server)', 'ends the hub for good with no_content', async () => {
    const server = await startTestServer({ http: (_req, res) => res.writeHead(204).end() });
    cleanups.push(() => server.close());
    const run = new EngineRun([
      { id: 'quiet', dialect: 'generic', url: `${server.url}/events` },
      controlConfig(),
    ]);
    await faultThenControlGoesOn(run, () => run.has('quiet', 'ended'), 'the hub to end');
    expect(run.current('quiet')).toMatchObject({ state: 'ended', reason: 'no_content' });
    expect(run.stats('quiet').reconnects).toBe(0);
    expect(server.requests).toHaveLength(1);
    return {
      did: 'got 204 on the first request and ended; no retry',
      asDesigned: 'stopped as designed (ended: no_content)',
      duplicates: 'none (no records)',
      lost: 'n/a: the server has nothing to stream',
      otherHubs: checkControl(run),
      operatorSees: describeOperatorView(run, 'quiet'),
    };
  });

  scenario(
    'wrong content type (URL of the JSON bot snapshot)',
    'stops as failed with the content type it got',
    async () => {
      const hub = await demoHub();
      const run = new EngineRun([
        { ...botHub('bots', hub.url), url: `${hub.url}/bot-hub/api/bots/bot-1` },
        controlConfig(),
      ]);
      await faultThenControlGoesOn(run, () => run.has('bots', 'failed'), 'the hub to fail');
      const state = run.current('bots');
      expect(state).toMatchObject({ state: 'failed', reason: 'wrong_content_type' });
      expect(describeState(state)).toContain('application/json');
      expect(run.stats('bots').reconnects).toBe(0);
      expect(run.log('bots').records).toEqual([]);
      return {
        did: 'got 200 with application/json instead of text/event-stream and stopped; no retry',
        asDesigned: 'stopped as designed (failed: wrong_content_type)',
        duplicates: 'none (no records)',
        lost: 'n/a: not an event stream',
        otherHubs: checkControl(run),
        operatorSees: describeOperatorView(run, 'bots'),
      };
    },
  );

  scenario(
    'malformed JSON (malformedEvery=3)',
    'keeps every frame, marks the malformed ones, and stays open',
    async () => {
      const hub = await demoHub();
      const run = new EngineRun([botHub('bots', hub.url, 'rate=40&malformedEvery=3'), controlConfig()]);
      await faultThenControlGoesOn(run, () => run.count('bots') >= 30, '30 events');
      const events = run.events('bots').slice(0, 30);
      events.forEach((record, index) => {
        const malformed = (index + 1) % 3 === 0;
        expect(record.malformed).toBe(malformed);
        if (malformed) {
          expect(typeof record.data).toBe('string');
          expect(record.level).toBe('warn');
        }
      });
      expect(run.stateNames('bots')).toEqual(['connecting', 'open']);
      expect(run.stats('bots').malformed).toBe(run.events('bots').filter((r) => r.malformed).length);
      expectContiguous(run, 'bots');
      return {
        did: 'kept streaming; every 3rd record kept with its raw text as data and marked malformed',
        asDesigned: 'as designed: never dropped, never fatal',
        duplicates: 'none (seq contiguous)',
        lost: 'none: every frame became a record',
        otherHubs: checkControl(run),
        operatorSees:
          'records marked malformed, level warn, data = the raw text; the malformed counter in the hub stats',
      };
    },
  );

  scenario('a 10 MB line (hugeBytes=10485760)', 'delivers the huge event intact and goes on', async () => {
    const hub = await demoHub();
    const run = new EngineRun([
      botHub('bots', hub.url, 'rate=20&hugeBytes=10485760&hugeAt=2'),
      controlConfig(),
    ]);
    await faultThenControlGoesOn(run, () => run.count('bots') >= 5, '5 events past the huge one');
    const huge = run.events('bots')[1]!;
    expect(huge.malformed).toBe(false);
    expect(huge.raw?.length ?? 0).toBeGreaterThanOrEqual(10_000_000);
    expect(JSON.parse(huge.raw!)).toEqual(huge.data);
    expect(run.stateNames('bots')).toEqual(['connecting', 'open']);
    expectContiguous(run, 'bots');
    return {
      did: 'parsed the 10 MB event as one record and kept streaming on the same connection',
      asDesigned: 'as designed (the line limit is 32 MiB)',
      duplicates: 'none (seq contiguous)',
      lost: 'none',
      otherHubs: checkControl(run),
      operatorSees: 'the event, whole; no state change',
    };
  });

  scenario(
    'split UTF-8 (split=1: random slices, cuts inside characters)',
    'yields exactly the events of the same stream unsplit',
    async () => {
      const hub = await demoHub();
      const run = new EngineRun([
        botHub('split', hub.url, 'rate=50&seed=5&split=1'),
        botHub('whole', hub.url, 'rate=50&seed=5'),
        controlConfig(),
      ]);
      const n = 60;
      await faultThenControlGoesOn(
        run,
        () => run.count('split') >= n && run.count('whole') >= n,
        `${n} events on both hubs`,
      );
      // Wall-clock fields differ between two subscribers by design; nothing else may.
      const wallClock = /"(timestamp_ms|updated_at_ms|session_started_at_ms)":\d+/g;
      const comparable = (records: EngineEvent[]): string[] =>
        records
          .slice(0, n)
          .map((record) => `${record.event}|${(record.raw ?? '').replace(wallClock, '"$1":0')}`);
      expect(comparable(run.events('split'))).toEqual(comparable(run.events('whole')));
      const text = run
        .events('split')
        .map((record) => record.raw ?? '')
        .join('');
      expect(text).not.toContain('\uFFFD');
      expect(text).toMatch(/[^\p{ASCII}]/u);
      expect(run.events('split').some((record) => record.malformed)).toBe(false);
      expect(run.stateNames('split')).toEqual(['connecting', 'open']);
      expectContiguous(run, 'split');
      return {
        did: `decoded characters cut across reads; the first ${n} records equal those of an unsplit subscriber`,
        asDesigned: 'as designed',
        duplicates: 'none (seq contiguous)',
        lost: 'none',
        otherHubs: checkControl(run),
        operatorSees: 'the events, no U+FFFD, nothing marked malformed; no state change',
      };
    },
  );

  scenario(
    'server restart (restart(400) during an rdev command)',
    'rdev resumes from Last-Event-ID across the restart without loss or duplicates; bot-hub marks a gap',
    async () => {
      const options: DemoHubOptions = { speed: 3, heartbeatMs: 200 };
      const hub = await demoHub(options);
      const expected = rdevEventCount(options);
      const run = new EngineRun([
        rdevHub('build', hub.url),
        botHub('bots', hub.url, 'rate=20'),
        controlConfig(),
      ]);
      await waitFor(
        () => run.count('build') >= 5 && run.count('bots') >= 3,
        'events before the restart',
        15_000,
      );
      await hub.restart(400);
      await faultThenControlGoesOn(
        run,
        () => run.has('build', 'ended') && run.stats('bots').gaps >= 1,
        'rdev to complete after the restart',
      );
      checkRdevComplete(run, 'build', expected);
      expect(run.stats('build').reconnects).toBeGreaterThanOrEqual(1);
      expect(run.stats('build').duplicatesSkipped).toBe(0);
      expect(run.gaps('bots').length).toBe(run.reopened('bots'));
      expect(run.reasons('build')).toEqual([
        'connection lost: terminated',
        'connection refused (127.0.0.1:PORT)',
      ]);
      expectContiguous(run, 'build');
      expectContiguous(run, 'bots');
      return {
        did: 'lost the connection, retried while the server was down, reconnected with Last-Event-ID; rdev completed',
        asDesigned: 'recovered as designed',
        duplicates: 'none (seq contiguous; rdev ids unique, 0 re-sent events skipped)',
        lost: `none where resumable: rdev ids 1..${expected} all present, including those sent while down; bot-hub: gap marker`,
        otherHubs: checkControl(run),
        operatorSees: describeOperatorView(run, 'build', [
          `bot-hub gap marker "${run.gapTexts('bots').join('", "')}"`,
        ]),
      };
    },
  );

  scenario(
    'WebSocket close 1006 (dropAfter=5, no close frame)',
    'reconnects showing the close code and marks a gap at each reconnect',
    async () => {
      const hub = await demoHub();
      const run = new EngineRun([cubeWsHub('cube-ws', hub.url, 'rate=40&dropAfter=5'), controlConfig()]);
      await faultThenControlGoesOn(
        run,
        () => run.stats('cube-ws').gaps >= 2 && run.count('cube-ws') >= 11,
        'two reconnects with events after them',
      );
      expect(run.reasons('cube-ws')).toEqual(['closed 1006 (abnormal closure)']);
      expect(run.gaps('cube-ws').length).toBe(run.reopened('cube-ws'));
      expect(run.events('cube-ws').some((record) => record.malformed)).toBe(false);
      expectContiguous(run, 'cube-ws');
      return {
        did: 'socket cut without a close frame after 5 messages; reconnected each time and went on',
        asDesigned: 'recovered as designed',
        duplicates: 'none (seq contiguous)',
        lost: 'WebSocket cannot resume: a gap marker stands at every reconnect',
        otherHubs: checkControl(run),
        operatorSees: describeOperatorView(run, 'cube-ws'),
      };
    },
  );

  scenario(
    'WebSocket ping timeout (server silent, noPong=1, idle 0.3 s, pong timeout 0.3 s)',
    'pings a silent server, terminates when no pong comes, and reconnects',
    async () => {
      const hub = await demoHub();
      const run = new EngineRun(
        [
          cubeWsHub('cube-ws', hub.url, 'rate=20&stallAfter=3&noPing=1&noPong=1'),
          // The same silence, but the server answers pings: proves we do ping, and that a
          // quiet hub that answers is kept.
          cubeWsHub('cube-ws-pong', hub.url, 'rate=20&stallAfter=3&noPing=1'),
          controlConfig(),
        ],
        { wsIdleMs: 300, wsPongTimeoutMs: 300 },
      );
      await faultThenControlGoesOn(
        run,
        () => run.stats('cube-ws').gaps >= 1 && run.count('cube-ws') >= 6,
        'a reconnect after a ping timeout, with events after it',
      );
      expect(run.reasons('cube-ws')).toEqual(['no pong within 0.3 s']);
      expect(run.gaps('cube-ws').length).toBe(run.reopened('cube-ws'));
      expect(run.stateNames('cube-ws-pong')).toEqual(['connecting', 'open']);
      expectContiguous(run, 'cube-ws');
      return {
        did: 'no traffic for 0.3 s: sent a ping; no pong within 0.3 s: terminated the socket and reconnected (a hub silent the same way that answers pings stayed open)',
        asDesigned: 'recovered as designed',
        duplicates: 'none (seq contiguous)',
        lost: 'WebSocket cannot resume: a gap marker stands at every reconnect',
        otherHubs: checkControl(run),
        operatorSees: describeOperatorView(run, 'cube-ws'),
      };
    },
  );
});
