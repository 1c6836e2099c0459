/**
 * UI: in Chromium through `hubwatch serve`, with 20,000 events/s arriving (10 hubs ×
 * 2,000/s from the load generator): frames per second and p95 frame time while the All tab
 * follows the tail, and wire-to-screen latency p95 — the age of the newest row on screen
 * at each frame, from the time the generator stamped the event (same machine clock).
 */
import { figure, formatMs, printJsonSummary, sleep, startGenerator } from './bench-support';
import { generatorConfig, launchChromium, startServe } from './serve-support';

const HUBS = 10;
const RATE = 20_000;
const MEASURE_MS = 10_000;

/** Runs in the page: every animation frame, note its time and the age of the newest row shown. */
const MEASURE_IN_PAGE = `(async () => {
  const frames = [];
  const ages = [];
  await new Promise((done) => {
    const start = performance.now();
    const tick = (now) => {
      frames.push(now);
      let newest = 0;
      for (const row of document.querySelectorAll('[data-testid="event-row"][data-time]')) {
        const time = Number(row.dataset.time);
        if (time > newest) newest = time;
      }
      if (newest > 0) ages.push(Date.now() - newest);
      if (now - start < MEASURE_MS) requestAnimationFrame(tick);
      else done();
    };
    requestAnimationFrame(tick);
  });
  const list = document.querySelector('[data-testid="event-list"]');
  return { frames, ages, following: list ? list.dataset.following : undefined };
})()`;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const generator = await startGenerator(['--rate', String(RATE / HUBS)]);
const serve = await startServe(['--config', generatorConfig(generator.port, HUBS)]);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(serve.url);
  await page.locator('[data-testid="event-row"]').first().waitFor({ timeout: 30_000 });
  // Warm up: let rates settle and the list fill.
  await sleep(3000);
  const samples = await page.evaluate<{ frames: number[]; ages: number[]; following: string | undefined }>(
    MEASURE_IN_PAGE.replace('MEASURE_MS', String(MEASURE_MS)),
  );
  const deltas = samples.frames.slice(1).map((t, i) => t - samples.frames[i]!);
  const seconds = (samples.frames.at(-1)! - samples.frames[0]!) / 1000;
  const how = `Chromium ${browser.version()} headless, 1440×900, All tab following the tail (following=${samples.following}), ${RATE.toLocaleString('en-US')} events/s from ${HUBS} hubs via hubwatch serve, ${MEASURE_MS / 1000} s`;
  figure('ui.fps', `${(samples.frames.length / seconds).toFixed(1)} fps`, how);
  figure(
    'ui.frame.p95',
    formatMs(percentile(deltas, 95)),
    'p95 time between animation frames over the same window',
  );
  figure(
    'ui.latency.p95',
    formatMs(percentile(samples.ages, 95)),
    `p95 age of the newest row on screen at each frame, from the generator's timestamp (median ${formatMs(percentile(samples.ages, 50))}, ${samples.ages.length} samples)`,
  );
} finally {
  await browser.close();
  await serve.stop();
  await generator.stop();
}
printJsonSummary();
