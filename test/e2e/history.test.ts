/**
 * The history as the operator sees it through `hubwatch serve`: the span and size held in
 * the sidebar, kept across a restart on the same data folder, and a persistent banner when
 * there is none to write.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser';
import { startServe } from './support/serve';
import { openApp, rows, waitForCount } from './support/ui';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** The event count the sidebar shows (`1.2k` is 1200). */
function eventsHeld(text: string | null): number {
  const match = /History: ([\d.]+)(k|M)? events/.exec(text ?? '');
  if (!match) return 0;
  return Number(match[1]) * (match[2] === 'M' ? 1e6 : match[2] === 'k' ? 1e3 : 1);
}

describe('the history in the UI', () => {
  it('shows what the history holds, and still holds it after serve restarts on the same folder', async () => {
    const data = mkdtempSync(join(tmpdir(), 'hubwatch-e2e-data-'));
    const first = await startServe(['--demo', '--data', data]);
    let held: number;
    try {
      const { page, problems } = await openApp(browser, first.openUrl);
      await waitForCount(rows(page), 20, 20_000);
      const summary = page.getByTestId('history-summary');
      // Pushed every few seconds: the count grows as events are written.
      await expect
        .poll(async () => eventsHeld(await summary.textContent()), { timeout: 20_000 })
        .toBeGreaterThan(0);
      expect(await summary.textContent()).toMatch(/History: .* events · [\d.]+ (B|KB|MB)/);
      expect(await summary.getAttribute('title')).toContain(join(data, 'history'));
      held = eventsHeld(await summary.textContent());
      expect(problems).toEqual([]);
      await page.context().close();
    } finally {
      await first.stop();
    }
    const second = await startServe(['--demo', '--data', data]);
    try {
      const { page } = await openApp(browser, second.openUrl);
      const summary = page.getByTestId('history-summary');
      await summary.waitFor();
      // Read on load, before this run's first push: what the first run wrote.
      expect(eventsHeld(await summary.textContent())).toBeGreaterThanOrEqual(held);
      await expect(page.getByTestId('history-banner').count()).resolves.toBe(0);
      await page.context().close();
    } finally {
      await second.stop();
    }
  });

  it('says so in a banner that stays when the history cannot be opened, and goes on in memory', async () => {
    const data = mkdtempSync(join(tmpdir(), 'hubwatch-e2e-data-'));
    // A file where the history folder should be: it cannot be created.
    writeFileSync(join(data, 'history'), 'not a folder');
    const serve = await startServe(['--demo', '--data', data]);
    try {
      const { page } = await openApp(browser, serve.openUrl);
      const banner = page.getByTestId('history-banner');
      await banner.waitFor({ timeout: 20_000 });
      expect(await banner.textContent()).toMatch(
        /Events are kept in memory only — history is off: cannot create the history folder .*history: a file is in the way/,
      );
      expect(await banner.getByRole('button').count()).toBe(0);
      expect(await page.getByTestId('history-summary').textContent()).toMatch(/History off — memory only/);
      await waitForCount(rows(page), 5, 20_000);
      await page.context().close();
    } finally {
      await serve.stop();
    }
  });
});
