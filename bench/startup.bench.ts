/**
 * Startup: time from launching `hubwatch serve --demo` to the first event on screen in
 * Chromium (the browser is already running; its own start is not counted). Median of 3.
 */
import { figure, formatMs, printJsonSummary } from './bench-support';
import { launchChromium, startServe } from './serve-support';

const browser = await launchChromium();
const runs: { total: number; ready: number }[] = [];
try {
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const serve = await startServe(['--demo']);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(serve.url);
    await page.locator('[data-testid="event-row"]').first().waitFor({ timeout: 60_000 });
    runs.push({ total: performance.now() - started, ready: serve.readyMs });
    await page.close();
    await serve.stop();
  }
} finally {
  await browser.close();
}
runs.sort((a, b) => a.total - b.total);
const median = runs[1]!;
figure(
  'startup.first-event',
  formatMs(median.total),
  `launch of hubwatch serve --demo → first event row in Chromium (median of 3; serve printed its URL after ${formatMs(median.ready)})`,
);
printJsonSummary();
