/**
 * Retention and query: heap and RSS holding 1,000,000 events (10 hubs × 100,000, filled
 * through the real pipeline); the time of a regex filter and of a level filter over them;
 * and the worst event-loop stall during those queries while ingest continues.
 * Run with --expose-gc so the heap figure is what is retained, not garbage.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Engine } from '../src/main/engine';
import type { HubConfig } from '../src/shared/hub-config';
import type { FilterSpec } from '../src/shared/filter';
import { figure, formatMb, formatMs, printJsonSummary, sleep, startGenerator } from './bench-support';

const HUBS = 10;
const PER_HUB = 100_000;

const gc = (globalThis as { gc?: () => void }).gc;

async function main() {
  // Fill: every hub sends exactly PER_HUB events as fast as it can.
  const fill = await startGenerator(['--total', String(PER_HUB)]);
  const engine = new Engine({ capacityPerHub: PER_HUB });
  const hubs: HubConfig[] = Array.from({ length: HUBS }, (_, i) => ({
    id: `load-${i}`,
    dialect: 'bot-hub',
    url: `http://127.0.0.1:${fill.port}/hub/${i}`,
  }));
  engine.setHubs(hubs);
  const heapBefore = (gc?.(), process.memoryUsage());
  engine.start();
  while (engine.store.size() < HUBS * PER_HUB) await sleep(100);
  await engine.stop();
  await fill.stop();
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  const held = process.memoryUsage();
  figure(
    'retention.events',
    engine.store.size().toLocaleString('en-US'),
    `${HUBS} hubs × ${PER_HUB.toLocaleString('en-US')} bot-hub events of ~250 B, through the pipeline`,
  );
  figure(
    'retention.heap',
    formatMb(held.heapUsed - heapBefore.heapUsed),
    'V8 heap used by them (after GC; heapUsed delta)',
  );
  // Large typed arrays (the rings' numeric and code columns) keep their contents outside the
  // V8 heap: counted here, so the store's whole footprint is on show.
  figure(
    'retention.columns',
    formatMb(held.arrayBuffers - heapBefore.arrayBuffers),
    'typed-array columns outside the V8 heap (arrayBuffers delta); with the heap, the store holds them in ' +
      formatMb(held.heapUsed - heapBefore.heapUsed + held.arrayBuffers - heapBefore.arrayBuffers),
  );
  figure('retention.rss', formatMb(held.rss), 'resident set of the whole process holding them');

  // Queries while ingest goes on at 20,000 events/s into the same store (the rings are full: every new event evicts one).
  const live = await startGenerator(['--rate', String(20_000 / HUBS)]);
  engine.setHubs(hubs.map((hub) => ({ ...hub, url: hub.url.replace(String(fill.port), String(live.port)) })));
  engine.start();
  await sleep(1000);
  const measure = async (name: string, spec: FilterSpec, how: string) => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    const { view, ready } = engine.views.open(spec);
    await ready;
    const ms = performance.now() - started;
    delay.disable();
    figure(
      `query.${name}`,
      formatMs(ms),
      `${how}: ${view.total.toLocaleString('en-US')} matches over ${engine.store.size().toLocaleString('en-US')} events`,
    );
    figure(
      `query.${name}.stall`,
      formatMs(delay.max / 1e6),
      'worst event-loop delay during that query, ingest going on (monitorEventLoopDelay)',
    );
    engine.views.close(view.id);
  };
  await measure('regex', { regex: 'seq \\d+7 ' }, 'regex /seq \\d+7 /i over message, source, event, entity');
  await measure('level', { levels: ['warn', 'error'] }, 'level filter warn+error');
  await measure(
    'where',
    { where: 'data.n > 999000' },
    'data predicate data.n > 999000 (parses matching payloads)',
  );
  await engine.stop();
  await live.stop();
  printJsonSummary();
}

await main();
