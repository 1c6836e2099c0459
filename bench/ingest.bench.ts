/**
 * Ingest: events/s sustained through transport → dialect → store → batched subscriber over
 * 10 hubs of about 250-byte JSON events, with the count of lost events; and, over the same
 * bytes, the baseline of eventsource-parser + JSON.parse alone. Reports the ratio twice:
 * both over the same loopback wire, and both fed the same bytes from memory; each the
 * median of several rounds (BENCH_INGEST_ROUNDS, default 3) that measure both back to back.
 */
import { createParser } from 'eventsource-parser';
import { Engine } from '../src/main/engine';
import type { HubConfig } from '../src/shared/hub-config';
import { figure, formatRate, printJsonSummary, sleep, startGenerator } from './bench-support';
import { sseLogFrame } from './frames';

const HUBS = 10;
// 4,000,000 events: at this machine's rate the measured stretch lasts more than 10 s.
const PER_HUB = Number(process.env['BENCH_INGEST_PER_HUB'] ?? 400_000);
const SIZE = 250;
/** Events kept per hub, as the app keeps by default. */
const CAPACITY = Number(process.env['BENCH_CAPACITY'] ?? 100_000);

async function pipeline(): Promise<{
  rate: number;
  lost: number;
  seconds: number;
  received: number;
  sent: number;
}> {
  const generator = await startGenerator(['--total', String(PER_HUB), '--size', String(SIZE)]);
  const engine = new Engine({ capacityPerHub: CAPACITY });
  let received = 0;
  let first = 0;
  let last = 0;
  engine.subscribe({
    onEvents(batch) {
      if (first === 0) first = performance.now();
      received += batch.length;
      last = performance.now();
    },
  });
  const hubs: HubConfig[] = Array.from({ length: HUBS }, (_, i) => ({
    id: `load-${i}`,
    dialect: 'bot-hub',
    url: `http://127.0.0.1:${generator.port}/hub/${i}`,
  }));
  engine.setHubs(hubs);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  engine.start();
  const deadline = Date.now() + 120_000;
  let lastSeen = -1;
  let stillFor = 0;
  while (received < HUBS * PER_HUB && Date.now() < deadline) {
    await sleep(200);
    // Stop waiting if nothing more arrives for 5 s: whatever is missing is lost.
    stillFor = received === lastSeen ? stillFor + 200 : 0;
    lastSeen = received;
    if (stillFor > 5000) break;
  }
  engine.flush();
  const cpu = process.cpuUsage(cpuBefore);
  if (process.env['BENCH_VERBOSE']) {
    process.stderr.write(
      `engine process CPU: ${(((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100).toFixed(0)} % of one core\n`,
    );
  }
  const stats = await generator.stats();
  const sent = Object.values(stats).reduce((sum, n) => sum + n, 0);
  await engine.stop();
  await generator.stop();
  const seconds = (last - first) / 1000;
  return { rate: received / seconds, lost: sent - received, seconds, received, sent };
}

/** The same generator, the same 10 connections, but only fetch + decode + eventsource-parser + JSON.parse. */
async function wireBaseline(): Promise<{ rate: number }> {
  const generator = await startGenerator(['--total', String(PER_HUB), '--size', String(SIZE)]);
  let count = 0;
  const target = HUBS * PER_HUB;
  const controllers: AbortController[] = [];
  const started = performance.now();
  let finishedAt = 0;
  await Promise.all(
    Array.from({ length: HUBS }, async (_, i) => {
      const controller = new AbortController();
      controllers.push(controller);
      const response = await fetch(`http://127.0.0.1:${generator.port}/hub/${i}`, {
        signal: controller.signal,
      });
      const decoder = new TextDecoder();
      let mine = 0;
      const parser = createParser({
        onEvent(event) {
          JSON.parse(event.data);
          mine++;
          count++;
        },
      });
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (mine >= PER_HUB) break;
      }
      if (count >= target && finishedAt === 0) finishedAt = performance.now();
      controller.abort();
    }),
  ).catch(() => undefined);
  await generator.stop();
  return { rate: count / (((finishedAt || performance.now()) - started) / 1000) };
}

/** The bytes of `events` bench frames, as the generator sends them. */
function frameBytes(events: number): Buffer {
  const stamp = Date.now();
  const text: string[] = [];
  for (let i = 1; i <= events; i++) text.push(sseLogFrame(i, stamp, SIZE));
  return Buffer.from(text.join(''), 'utf8');
}

const MEMORY_CHUNK = 64 * 1024;

/**
 * The whole pipeline with the network taken out: each hub's fetch answers with the frame
 * bytes from memory, in 64 KiB chunks, so what is measured is the engine (SSE parsing,
 * dialect, store, entities, alerts, batches), to set beside the in-memory baseline.
 */
async function memoryPipeline(capacityPerHub: number): Promise<{ rate: number; cpuPerEvent: number }> {
  const perHub = Math.min(PER_HUB, 200_000);
  const bytes = frameBytes(perHub);
  const memoryFetch = ((_url: string, init?: RequestInit) => {
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // As a real fetch does, stopping the hub aborts the body.
        init?.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
      },
      pull(controller) {
        // After the last chunk the stream stays open, as the generator's does.
        if (offset >= bytes.length) return new Promise<void>(() => undefined);
        controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + MEMORY_CHUNK)));
        offset += MEMORY_CHUNK;
        return undefined;
      },
    });
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    );
  }) as typeof fetch;
  const engine = new Engine({ capacityPerHub, fetch: memoryFetch });
  let received = 0;
  engine.subscribe({
    onEvents(batch) {
      received += batch.length;
    },
  });
  engine.setHubs(
    Array.from({ length: HUBS }, (_, i) => ({
      id: `memory-${i}`,
      dialect: 'bot-hub',
      url: `http://memory/${i}`,
    })),
  );
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  engine.start();
  const deadline = Date.now() + 120_000;
  while (received < HUBS * perHub) {
    if (Date.now() > deadline) {
      await engine.stop();
      throw new Error(`memory pipeline: ${received} of ${HUBS * perHub} events after 120 s`);
    }
    await sleep(2);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await engine.stop();
  return { rate: received / seconds, cpuPerEvent: (cpu.user + cpu.system) / received };
}

function baseline(): { rate: number } {
  // The same bytes the pipeline received, decoded and parsed with nothing else.
  const events = 500_000;
  const bytes = frameBytes(events);
  const chunk = MEMORY_CHUNK;
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let count = 0;
    const parser = createParser({
      onEvent(event) {
        JSON.parse(event.data);
        count++;
      },
    });
    const decoder = new TextDecoder();
    const started = performance.now();
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      parser.feed(decoder.decode(bytes.subarray(offset, offset + chunk), { stream: true }));
    }
    const seconds = (performance.now() - started) / 1000;
    if (count !== events) throw new Error(`baseline parsed ${count} of ${events}`);
    best = Math.max(best, events / seconds);
  }
  return { rate: best };
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "median (low–high)" over the rounds; just the value after one round. */
function spread(values: number[], format: (value: number) => string): string {
  if (values.length === 1) return format(values[0]!);
  return `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
}

const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
const thousands = (value: number) => `${Math.round(value / 1000).toLocaleString('en-US')}k`;

/**
 * Rounds: this machine's speed drifts by ±20 % over minutes, so a ratio taken from one
 * pipeline run and one baseline run a minute apart says as much about the drift as about
 * Hubwatch. Each round measures the pipeline and its baseline back to back; the ratio
 * printed is the median of the rounds' ratios, with their range.
 */
const ROUNDS = process.env['BENCH_PIPELINE_ONLY']
  ? 1
  : Math.max(1, Number(process.env['BENCH_INGEST_ROUNDS'] ?? 3));
const runs: Awaited<ReturnType<typeof pipeline>>[] = [];
const wires: number[] = [];
const memories: { rate: number; cpuPerEvent: number }[] = [];
const unretained: { rate: number; cpuPerEvent: number }[] = [];
const bases: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  runs.push(await pipeline());
  if (process.env['BENCH_PIPELINE_ONLY']) break;
  wires.push((await wireBaseline()).rate);
  memories.push(await memoryPipeline(CAPACITY));
  unretained.push(await memoryPipeline(0));
  bases.push(baseline().rate);
}
const rates = runs.map((run) => run.rate);
const lost = runs.reduce((sum, run) => sum + run.lost, 0);
const sent = runs.reduce((sum, run) => sum + run.sent, 0);
const received = runs.reduce((sum, run) => sum + run.received, 0);
const roundsNote = ROUNDS > 1 ? `; median of ${ROUNDS} rounds (range)` : '';
figure(
  'ingest.pipeline',
  runs.length === 1 ? formatRate(rates[0]!) : `${thousands(median(rates))} ev/s`,
  `${HUBS} hubs × ${PER_HUB.toLocaleString('en-US')} bot-hub events of ~${SIZE} B over loopback SSE from a separate generator process, ${runs.map((run) => `${run.seconds.toFixed(1)} s`).join(', ')} (transport → dialect → store → entities → alerts → batched subscriber)${runs.length > 1 ? `; rounds: ${rates.map(thousands).join(', ')}` : ''}`,
);
figure(
  'ingest.lost',
  `${lost} events`,
  `sent ${sent.toLocaleString('en-US')}, received ${received.toLocaleString('en-US')}${runs.length > 1 ? ` over ${runs.length} rounds` : ''}`,
);
if (process.env['BENCH_PIPELINE_ONLY']) process.exit(0);
figure(
  'ingest.baseline.wire',
  `${thousands(median(wires))} ev/s`,
  `fetch + TextDecoder + eventsource-parser + JSON.parse alone, same generator, same 10 connections, same bytes; rounds: ${wires.map(thousands).join(', ')}`,
);
figure(
  'ingest.ratio.wire',
  spread(
    rates.map((rate, i) => rate / wires[i]!),
    percent,
  ),
  `pipeline ÷ wire baseline of the same round${roundsNote}`,
);
figure(
  'ingest.pipeline.memory',
  `${thousands(median(memories.map((m) => m.rate)))} ev/s`,
  `the same pipeline and 10 hubs fed the same bytes from memory (64 KiB chunks): no network, no generator; ${median(memories.map((m) => m.cpuPerEvent)).toFixed(2)} µs of CPU per event, all threads; rounds: ${memories.map((m) => thousands(m.rate)).join(', ')}`,
);
figure(
  'ingest.pipeline.memory.keep-none',
  `${thousands(median(unretained.map((m) => m.rate)))} ev/s`,
  `the same, with a store that keeps nothing (capacity 0, as \`hubwatch capture\` runs): ${median(unretained.map((m) => m.cpuPerEvent)).toFixed(2)} µs of CPU per event; the difference is what holding ${CAPACITY.toLocaleString('en-US')} events per hub costs`,
);
figure(
  'ingest.baseline.memory',
  `${thousands(median(bases))} ev/s`,
  `eventsource-parser + JSON.parse alone over the same bytes in memory (64 KiB chunks, best of 3 per round); rounds: ${bases.map(thousands).join(', ')}`,
);
figure(
  'ingest.ratio.memory',
  spread(
    memories.map((m, i) => m.rate / bases[i]!),
    percent,
  ),
  `pipeline from memory ÷ baseline from memory of the same round${roundsNote}`,
);
figure(
  'ingest.ratio.memory.keep-none',
  spread(
    unretained.map((m, i) => m.rate / bases[i]!),
    percent,
  ),
  `the pipeline keeping no events ÷ the same baseline${roundsNote}`,
);
printJsonSummary();
