/**
 * Soak: the engine under an accelerated bad day for SOAK_MINUTES (default 10) — about
 * 1,000 events/s over 12 hubs of every kind, every stream cut mid-frame every few seconds
 * (constant reconnects and gap markers), Protocube crash storms and rdev commands failing
 * every few seconds (alert storms), the desktop app's two usual live views open. The demo
 * hub runs in its own process (`hubwatch demo-hub`), so only the engine is measured.
 *
 * Heap (after GC) and RSS are sampled every 5 s; the memory slope is the least-squares
 * line through the samples of the second half, when the stores are full and only a leak
 * can still make memory grow. Not part of `npm test`: `node scripts/bench.mjs soak`, with
 * --expose-gc. Progress goes to stderr while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { Engine } from '../src/main/engine';
import type { HubConfig, HubwatchConfig } from '../src/shared/hub-config';
import { ROOT, figure, formatMb, formatMs, formatRate, printJsonSummary, sleep } from './bench-support';

const MINUTES = Number(process.env['SOAK_MINUTES'] ?? 10);
const SAMPLE_MS = 5_000;
/** Events kept per hub: small enough that every store is full early in the run. */
const CAPACITY = 5_000;
/** A new rdev command this often; each one exits non-zero, which raises an alert. */
const COMMAND_EVERY_MS = 5_000;

const gc = (globalThis as { gc?: () => void }).gc;

interface DemoHubProcess {
  child: ChildProcess;
  config: HubwatchConfig;
  stop(): Promise<void>;
}

/** `hubwatch demo-hub --port 0` in its own process; resolves with the config it prints. */
async function startDemoHubProcess(): Promise<DemoHubProcess> {
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'bin/hubwatch.js'), 'demo-hub', '--port', '0', '--speed', '20', '--ping-ms', '2000'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const config = await new Promise<HubwatchConfig>((done, fail) => {
    let text = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      // The config is one pretty-printed JSON document; it is complete once it parses.
      try {
        done(JSON.parse(text) as HubwatchConfig);
      } catch {
        // Not all of it yet.
      }
    });
    child.once('exit', (code) => fail(new Error(`demo hub exited ${code}`)));
  });
  return {
    child,
    config,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The soak's hubs: each demo stream at a high rate, cut after a few seconds' worth of events. */
function soakHubs(config: HubwatchConfig): HubConfig[] {
  const demo = new Map(config.hubs.map((hub) => [hub.id, hub]));
  const base = (id: string): HubConfig => {
    const hub = demo.get(id);
    if (!hub) throw new Error(`the demo config has no hub ${id}`);
    return hub;
  };
  const withQuery = (hub: HubConfig, id: string, query: string): HubConfig => ({
    ...hub,
    id,
    url: `${hub.url}${hub.url.includes('?') ? '&' : '?'}${query}`,
  });
  return [
    ...[1, 2, 3, 4].map((i) => withQuery(base('bots'), `bots-${i}`, `seed=${i}&rate=110&dropAfter=500`)),
    ...[1, 2, 3].map((i) => withQuery(base('cube'), `cube-${i}`, `seed=${i}&rate=110&dropAfter=300`)),
    ...[1, 2].map((i) => withQuery(base('cube-ws'), `cube-ws-${i}`, `seed=${i}&rate=110&dropAfter=400`)),
    withQuery(base('evo'), 'evo', 'rate=60&dropAfter=250'),
    withQuery(base('bai'), 'bai', 'rate=60&dropAfter=300'),
    // rdev follows one command at a time; the soak starts a new one every few seconds.
    { ...base('build'), id: 'build' },
  ];
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - meanX) * (p.y - meanY);
    den += (p.x - meanX) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

interface Sample {
  minute: number;
  heapMb: number;
  rssMb: number;
  /** Memory outside the V8 heap (Buffers, ArrayBuffers): where socket data lives. */
  externalMb: number;
  events: number;
  entities: number;
  /** Worst event-loop delay since the previous sample, ms. */
  delayMs: number;
}

async function main(): Promise<void> {
  if (!gc)
    process.stderr.write('soak: run with --expose-gc for heap figures after GC (scripts/bench.mjs does)\n');
  const hub = await startDemoHubProcess();
  const engine = new Engine({ capacityPerHub: CAPACITY });
  let events = 0;
  let batches = 0;
  let raised = 0;
  let coalesced = 0;
  engine.subscribe({
    onEvents(batch) {
      batches++;
      for (const record of batch) if (record.gap !== true) events++;
    },
    onAlert(_alert, isNew) {
      if (isNew) raised++;
      else coalesced++;
    },
  });
  const hubs = soakHubs(hub.config);
  engine.setHubs(hubs);
  // What the desktop app has open all day: the merged live tab and an errors-only filter.
  // The app's API session folds evicted entries on every push (compactIfNeeded); so does
  // the loop below, or the views would grow with every event ever seen.
  const views = [engine.views.open({}).view, engine.views.open({ levels: ['warn', 'error'] }).view];

  const loop = monitorEventLoopDelay({ resolution: 10 });
  /** The same, reset at every sample: shows whether the worst delays are rare or regular. */
  const interval = monitorEventLoopDelay({ resolution: 10 });
  const samples: Sample[] = [];
  const measure = (minute: number): Sample => {
    const delayMs = interval.max / 1e6;
    // The forced GC is the bench's own pause, not the engine's: keep it out of the delay figures.
    loop.disable();
    interval.disable();
    gc?.();
    interval.reset();
    loop.enable();
    interval.enable();
    const memory = process.memoryUsage();
    return {
      minute,
      heapMb: memory.heapUsed / 1024 / 1024,
      rssMb: memory.rss / 1024 / 1024,
      externalMb: memory.external / 1024 / 1024,
      events,
      entities: engine.entities.list().length,
      delayMs,
    };
  };

  const started = performance.now();
  const minutes = (): number => (performance.now() - started) / 60_000;
  engine.start();
  loop.enable();
  interval.enable();
  const commands = ['npm test', 'exit 3'];
  let commandIndex = 0;
  let nextCommandAt = performance.now() + COMMAND_EVERY_MS;
  let nextSampleAt = performance.now() + SAMPLE_MS;
  let nextReportAt = performance.now() + 30_000;
  while (minutes() < MINUTES) {
    await sleep(250);
    for (const view of views) view.compactIfNeeded();
    const now = performance.now();
    if (now >= nextCommandAt) {
      engine.runCommand('build', commands[commandIndex++ % commands.length]!);
      nextCommandAt = now + COMMAND_EVERY_MS;
    }
    if (now >= nextSampleAt) {
      samples.push(measure(minutes()));
      nextSampleAt = now + SAMPLE_MS;
    }
    if (now >= nextReportAt) {
      const last = samples.at(-1);
      const worst = Math.max(0, ...samples.slice(-6).map((sample) => sample.delayMs));
      process.stderr.write(
        `soak ${minutes().toFixed(1)}/${MINUTES} min: ${events.toLocaleString('en-US')} events, ` +
          `heap ${last?.heapMb.toFixed(0) ?? '?'} MB, rss ${last?.rssMb.toFixed(0) ?? '?'} MB, ` +
          `external ${last?.externalMb.toFixed(0) ?? '?'} MB, worst loop delay ${worst.toFixed(0)} ms\n`,
      );
      nextReportAt = now + 30_000;
    }
  }
  loop.disable();
  interval.disable();
  const elapsedMinutes = minutes();
  const infos = engine.listHubs();
  await engine.stop();
  await hub.stop();
  // With every connection closed, what is still held outside the heap was not the sockets'.
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(200);
  }
  const afterStop = process.memoryUsage();

  const secondHalf = samples.filter((sample) => sample.minute >= elapsedMinutes / 2);
  const heapSlope = slope(secondHalf.map((s) => ({ x: s.minute, y: s.heapMb })));
  const rssSlope = slope(secondHalf.map((s) => ({ x: s.minute, y: s.rssMb })));
  const externalSlope = slope(secondHalf.map((s) => ({ x: s.minute, y: s.externalMb })));
  const stalled = samples.filter((sample) => sample.delayMs > 100).length;
  const reconnects = infos.reduce((sum, info) => sum + info.stats.reconnects, 0);
  const gaps = infos.reduce((sum, info) => sum + info.stats.gaps, 0);
  const failed = infos.filter((info) => info.state.state === 'failed');
  const first = secondHalf[0];
  const last = samples.at(-1);

  figure(
    'soak.duration',
    `${elapsedMinutes.toFixed(1)} min`,
    `${hubs.length} hubs of every kind on a demo hub in its own process, ${CAPACITY.toLocaleString('en-US')} events kept per hub`,
  );
  figure(
    'soak.events',
    events.toLocaleString('en-US'),
    `records delivered to a subscriber in ${batches.toLocaleString('en-US')} batches (gap markers not counted)`,
  );
  figure(
    'soak.rate',
    formatRate(events / (elapsedMinutes * 60)),
    'events processed per second, over the whole run',
  );
  figure(
    'soak.reconnects',
    reconnects.toLocaleString('en-US'),
    'every stream cut mid-frame after 250–500 events (SSE) or closed without a close frame (WebSocket, 1006)',
  );
  figure('soak.gaps', gaps.toLocaleString('en-US'), 'gap markers written where events may be missing');
  figure(
    'soak.alerts.raised',
    raised.toLocaleString('en-US'),
    'alerts raised (notifications): Protocube crashes, Backend.AI failures, rdev non-zero exits',
  );
  figure(
    'soak.alerts.coalesced',
    coalesced.toLocaleString('en-US'),
    'matching events absorbed into an open alert instead of a new notification',
  );
  figure(
    'soak.heap.slope',
    `${heapSlope.toFixed(2)} MB/min`,
    `least-squares slope of heap used after GC, ${secondHalf.length} samples of the second half`,
  );
  figure(
    'soak.rss.slope',
    `${rssSlope.toFixed(2)} MB/min`,
    'least-squares slope of RSS over the same samples',
  );
  figure(
    'soak.external.slope',
    `${externalSlope.toFixed(2)} MB/min`,
    'least-squares slope of memory outside the V8 heap (Buffers, ArrayBuffers) over the same samples',
  );
  figure(
    'soak.heap',
    last ? `${last.heapMb.toFixed(0)} MB` : 'n/a',
    `heap used after GC at the end (${first ? first.heapMb.toFixed(0) : '?'} MB at the start of the second half)`,
  );
  figure('soak.rss', last ? formatMb(last.rssMb * 1024 * 1024) : 'n/a', 'RSS at the end');
  figure(
    'soak.external.after-stop',
    formatMb(afterStop.external),
    `outside the V8 heap once every hub is stopped, after GC (${last ? last.externalMb.toFixed(0) : '?'} MB while running; heap ${formatMb(afterStop.heapUsed)})`,
  );
  figure(
    'soak.entities',
    last ? last.entities.toLocaleString('en-US') : 'n/a',
    `entities tracked at the end (${first ? first.entities.toLocaleString('en-US') : '?'} at the start of the second half)`,
  );
  figure(
    'soak.loop.max',
    formatMs(loop.max / 1e6),
    `worst event-loop delay (p99 ${formatMs(loop.percentile(99) / 1e6)}; monitorEventLoopDelay, the bench's forced GCs left out)`,
  );
  figure(
    'soak.loop.stalls',
    `${stalled} of ${samples.length}`,
    '5-second intervals whose worst event-loop delay exceeded 100 ms',
  );
  figure(
    'soak.failed',
    `${failed.length} hubs`,
    failed.length === 0
      ? 'hubs that stopped for good (none expected)'
      : failed
          .map((info) => `${info.config.id}: ${info.state.state === 'failed' ? info.state.detail : ''}`)
          .join('; '),
  );
  printJsonSummary();
}

await main();
