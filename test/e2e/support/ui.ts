import { expect } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { watchPageProblems } from './browser';

/** A page of the UI, with the problems (CSP violations, page errors) it reported. */
export interface AppPage {
  page: Page;
  problems: string[];
}

/** Opens the printed URL (the server trades the token for a cookie) and waits for the shell. */
export async function openApp(
  browser: Browser,
  openUrl: string,
  options: { colorScheme?: 'light' | 'dark'; acceptDownloads?: boolean } = {},
): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: options.acceptDownloads ?? true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(openUrl).origin });
  const page = await context.newPage();
  const problems = watchPageProblems(page);
  page.on('console', (message) => {
    // Chromium reports CSP violations as console errors; watchPageProblems keeps them.
    if (message.type() === 'warning' && /Content Security Policy/i.test(message.text()))
      problems.push(message.text());
  });
  await page.goto(openUrl);
  await page.getByTestId('app-shell').waitFor();
  await page.getByTestId('loading').waitFor({ state: 'detached' });
  return { page, problems };
}

/** Waits until `locator` matches at least `count` elements. */
export async function waitForCount(locator: Locator, count: number, timeout = 20_000): Promise<void> {
  await expect
    .poll(() => locator.count(), { timeout, message: `waiting for ${count} of ${String(locator)}` })
    .toBeGreaterThanOrEqual(count);
}

/** The visible event rows of a pane (`main` or `split`). */
export function rows(page: Page, pane: 'main' | 'split' = 'main'): Locator {
  return page.getByTestId(`pane-${pane}`).getByTestId('event-row');
}

/** The number shown as "shown" in a pane header. */
export async function shownTotal(page: Page, pane: 'main' | 'split' = 'main'): Promise<number> {
  const text = await page.getByTestId(`pane-${pane}`).getByTestId('pane-total').textContent();
  return Number((text ?? '0').replace(/[^0-9]/g, ''));
}

/** The texts of a column (`time`, `hub`, `level`, `event`, `entity`, `message`) of the visible rows. */
export async function column(page: Page, name: string, pane: 'main' | 'split' = 'main'): Promise<string[]> {
  return rows(page, pane).locator(`.${name}`).allTextContents();
}
