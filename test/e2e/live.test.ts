/**
 * The operator's day against the demo hub, in Chromium through `hubwatch serve --demo`:
 * live tabs and the merged timeline, filters (levels, regex, predicate), pause and resume,
 * the detail pane, split view, the keyboard switcher, the entity views, an rdev command,
 * alerts, export with a real download, and the dark theme.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_EVENT_KEYS, type HubEvent } from '../../src/shared/hub-event';
import { launchChromium, screenshot } from './support/browser';
import { startServe, type ServeProcess } from './support/serve';
import { column, openApp, rows, shownTotal, waitForCount, type AppPage } from './support/ui';

let serve: ServeProcess;
let browser: Browser;
let app: AppPage;
let page: Page;

beforeAll(async () => {
  [serve, browser] = await Promise.all([startServe(['--demo']), launchChromium()]);
  app = await openApp(browser, serve.openUrl);
  page = app.page;
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

/** Sets a pane's filter text field and waits for it to apply. */
async function typeInto(testId: string, text: string): Promise<void> {
  await page.getByTestId('pane-main').getByTestId(testId).fill(text);
}

async function clearFilter(): Promise<void> {
  await page.getByTestId('pane-main').getByTestId('filter-clear').click();
}

async function showTab(id: string): Promise<void> {
  await page.getByTestId(`tab-${id}`).click();
  await expect.poll(() => page.getByTestId('pane-main').getAttribute('data-tab')).toBe(id);
}

describe('live tabs', () => {
  it('merge every hub’s events in the All tab, and each hub tab shows its state, rate and counts', async () => {
    await waitForCount(rows(page), 20);
    await expect
      .poll(async () => new Set(await column(page, 'hub')).size, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('tab-state-bots').textContent()).toMatch(/events · last/);
    expect(await page.getByTestId('tab-bots').textContent()).toMatch(/\/s/);
    expect(await page.getByTestId('pane-main').getByTestId('pane-state').textContent()).toMatch(/hubs open/);
    // Rates are measured over a few seconds: wait for them before the picture.
    await expect
      .poll(() => page.getByTestId('global-rate').textContent(), { timeout: 15_000 })
      .not.toMatch(/\b0\/s/);
    await screenshot(page, 'live-tabs');
  });

  it('show a hub’s own events and connection state in its tab', async () => {
    await showTab('cube-ws');
    await waitForCount(rows(page), 3);
    expect(await page.getByTestId('pane-main').getByTestId('pane-state').textContent()).toMatch(/open/);
    expect(new Set(await column(page, 'event'))).not.toContain('log');
    expect(await rows(page).locator('.hub').count()).toBe(0);
  });
});

describe('filters', () => {
  it('show only the levels toggled on, with counts on the toggles', async () => {
    await showTab('all');
    expect(await page.getByTestId('pane-main').getByTestId('level-error').textContent()).toMatch(
      /error\s*\d/,
    );
    await page.getByTestId('pane-main').getByTestId('level-error').click();
    await waitForCount(rows(page), 1);
    await expect.poll(async () => new Set(await column(page, 'level'))).toEqual(new Set(['error']));
    await page.getByTestId('pane-main').getByTestId('level-warn').click();
    await expect
      .poll(async () =>
        [...new Set(await column(page, 'level'))].every((level) => level === 'warn' || level === 'error'),
      )
      .toBe(true);
    await clearFilter();
    await expect.poll(async () => new Set(await column(page, 'level')).size).toBeGreaterThan(2);
  });

  it('show an invalid regex where it was typed, and filter by a valid one', async () => {
    await typeInto('filter-regex', '(unclosed');
    await expect
      .poll(() => page.getByTestId('pane-main').getByTestId('filter-problem').textContent())
      .toMatch(/Regex: invalid regular expression/);
    expect(await page.getByTestId('pane-main').getByTestId('filter-regex').getAttribute('aria-invalid')).toBe(
      'true',
    );
    await typeInto('filter-regex', 'running|offline');
    await expect.poll(() => page.getByTestId('pane-main').getByTestId('filter-problem').count()).toBe(0);
    await waitForCount(rows(page), 2);
    await expect
      .poll(async () => (await rows(page).allTextContents()).every((text) => /running|offline/i.test(text)))
      .toBe(true);
    await page.getByTestId('pane-main').getByTestId('level-info').click();
    await page
      .getByTestId('pane-main')
      .getByTestId('filter-where')
      .fill('not data.Data.payload.exit_code exists');
    await waitForCount(rows(page), 1);
    await screenshot(page, 'filters');
    await clearFilter();
  });

  it('filter on a payload field with a predicate, and explain a wrong one', async () => {
    await showTab('cube');
    await typeInto('filter-where', 'exit_code != 0');
    await expect
      .poll(() => page.getByTestId('pane-main').getByTestId('filter-problem').textContent())
      .toMatch(/use data\.exit_code/);
    await typeInto('filter-where', 'data.Data.payload.exit_code != 0');
    await waitForCount(rows(page), 1, 30_000);
    await expect.poll(async () => new Set(await column(page, 'event'))).toEqual(new Set(['crash']));
    await clearFilter();
  });

  it('pick an event type, invert, and save a filter to apply it again later', async () => {
    await showTab('cube');
    const pane = page.getByTestId('pane-main');
    await pane.getByTestId('filter-event').selectOption('status');
    await expect.poll(async () => new Set(await column(page, 'event'))).toEqual(new Set(['status']));
    await pane.getByTestId('filter-invert').click();
    await expect.poll(async () => (await column(page, 'event')).includes('status')).toBe(false);
    await pane.getByTestId('filter-invert').click();

    await pane.getByTestId('saved-filters').click();
    await pane.getByLabel('Filter name').fill('status only');
    await pane.getByRole('button', { name: 'Save current' }).click();
    await expect.poll(() => pane.getByTestId('saved-filters').textContent()).toMatch(/Saved \(1\)/);
    await pane.getByTestId('saved-filters').click();
    await clearFilter();
    expect(await pane.getByTestId('filter-event').inputValue()).toBe('');

    await pane.getByTestId('saved-filters').click();
    await pane.getByTestId('saved-filter-apply').filter({ hasText: 'status only' }).click();
    expect(await pane.getByTestId('filter-event').inputValue()).toBe('status');
    await expect.poll(async () => new Set(await column(page, 'event'))).toEqual(new Set(['status']));
    await clearFilter();
  });

  it('keep each tab’s filter when switching away and back', async () => {
    await showTab('bots');
    await typeInto('filter-text', 'bot');
    await showTab('evo');
    expect(await page.getByTestId('pane-main').getByTestId('filter-text').inputValue()).toBe('');
    await showTab('bots');
    expect(await page.getByTestId('pane-main').getByTestId('filter-text').inputValue()).toBe('bot');
    await clearFilter();
  });
});

describe('following the tail', () => {
  it('pauses with Space, counts what arrives meanwhile, and resumes with End', async () => {
    await showTab('all');
    const list = page.getByTestId('pane-main').getByTestId('event-list');
    await list.focus();
    const newest = (await column(page, 'time')).at(-1);
    await page.keyboard.press('Space');
    await page.getByTestId('paused-pill').waitFor();
    expect(await list.getAttribute('data-following')).toBe('false');
    const frozen = await column(page, 'time');
    // The list holds where it was: the newest rows stay on screen.
    expect(frozen).toContain(newest);
    await expect
      .poll(() => page.getByTestId('new-count').textContent(), { timeout: 15_000 })
      .toMatch(/\d+ new event/);
    // New rows may appear below, but the rows on screen stay where they were.
    expect((await column(page, 'time')).slice(0, frozen.length)).toEqual(frozen);
    await page.keyboard.press('End');
    await page.getByTestId('paused-pill').waitFor({ state: 'detached' });
    expect(await list.getAttribute('data-following')).toBe('true');
  });

  it('pauses when the operator scrolls up, and jumps back to live from the pill', async () => {
    const list = page.getByTestId('pane-main').getByTestId('event-list');
    await waitForCount(rows(page), 30);
    await list.hover();
    await page.mouse.wheel(0, -600);
    await page.getByTestId('paused-pill').waitFor();
    await page.getByTestId('jump-to-live').click();
    await page.getByTestId('paused-pill').waitFor({ state: 'detached' });
  });
});

describe('the detail pane', () => {
  it('shows the full record as a JSON tree, copies it, and filters the list to its entity', async () => {
    await showTab('bots');
    const withEntity = rows(page).filter({ has: page.locator('.entity', { hasText: /bot-\d/ }) });
    await waitForCount(withEntity, 1);
    // Pause first: a row of a following list moves as events arrive. Space toggles, so it
    // is pressed only if the list is not paused already.
    await page.getByTestId('pane-main').getByTestId('event-list').focus();
    if (!(await page.getByTestId('paused-pill').isVisible())) await page.keyboard.press('Space');
    await page.getByTestId('paused-pill').waitFor();
    const row = withEntity.first();
    const entity = (await row.locator('.entity').textContent())!.trim();
    await row.click();
    const detail = page.getByTestId('detail-pane');
    await detail.waitFor();
    await expect.poll(() => detail.getByTestId('json-tree').textContent()).toMatch(/receivedAt/);
    expect(await detail.getByTestId('json-tree').textContent()).toMatch(/data/);
    expect(await page.getByTestId('paused-pill').isVisible()).toBe(true);

    await detail.getByTestId('copy-json').click();
    await expect.poll(() => detail.getByTestId('copy-json').textContent()).toMatch(/Copied/);
    const copied = JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()')) as HubEvent;
    expect(Object.keys(copied)).toEqual([...HUB_EVENT_KEYS]);
    expect(copied.hub).toBe('bots');
    expect(copied.entity?.id).toBe(entity);
    await screenshot(page, 'detail-pane');

    await detail.getByTestId('filter-to-entity').click();
    await expect.poll(async () => new Set(await column(page, 'entity'))).toEqual(new Set([entity]));
    expect(await page.getByTestId('pane-main').getByTestId('filter-entity-id').inputValue()).toBe(entity);
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    await clearFilter();
  });

  it('moves to the next and previous event with the arrow keys', async () => {
    await showTab('evo');
    await waitForCount(rows(page), 5);
    await rows(page).nth(2).click();
    const detail = page.getByTestId('detail-pane');
    await detail.waitFor();
    const first = await detail.locator('h2').textContent();
    const seqOf = async () => (await detail.locator('.heading .mono').textContent()) ?? '';
    const before = await seqOf();
    await page.getByTestId('pane-main').getByTestId('event-list').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(seqOf).not.toBe(before);
    await page.keyboard.press('ArrowUp');
    await expect.poll(seqOf).toBe(before);
    expect(first).toBeTruthy();
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
  });
});

describe('split view', () => {
  it('shows two tabs side by side, each with its own list and filter', async () => {
    await showTab('bots');
    await page.getByTestId('split-select').selectOption('cube');
    const split = page.getByTestId('pane-split');
    await split.waitFor();
    await waitForCount(rows(page, 'split'), 2);
    expect(await split.getAttribute('data-tab')).toBe('cube');
    expect(new Set(await column(page, 'event', 'split'))).not.toContain('log');
    await split.getByTestId('level-info').click();
    await expect.poll(async () => new Set(await column(page, 'level', 'split'))).toEqual(new Set(['info']));
    expect(new Set(await column(page, 'level')).size).toBeGreaterThan(1);
    await screenshot(page, 'split-view');
    await split.getByTestId('filter-clear').click();
    await split.getByTestId('close-split').click();
    await split.waitFor({ state: 'detached' });
  });
});

describe('the keyboard', () => {
  it('opens the switcher with Ctrl+K and goes where the operator types', async () => {
    await page.keyboard.press('Control+k');
    const switcher = page.getByTestId('switcher');
    await expect.poll(() => switcher.isVisible()).toBe(true);
    await page.keyboard.type('sessi');
    await screenshot(page, 'switcher');
    await page.keyboard.press('Enter');
    await page.getByTestId('entity-screen-session').waitFor();
    expect(await switcher.isVisible()).toBe(false);
  });

  it('focuses the filter with Ctrl+F from any screen, and Esc closes dialogs', async () => {
    await page.keyboard.press('Control+f');
    await page.getByTestId('live-screen').waitFor();
    await expect
      .poll(() => page.evaluate("document.activeElement?.getAttribute('data-testid')"))
      .toBe('filter-text');
    await page.keyboard.press('Control+e');
    await expect.poll(() => page.getByTestId('export-dialog').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('export-dialog').isVisible()).toBe(false);
  });
});

describe('entity views', () => {
  it('show sessions with their lifecycle phases, durations and result, and their events', async () => {
    await page.getByTestId('nav-session').click();
    const screen = page.getByTestId('entity-screen-session');
    await screen.waitFor();
    const terminated = screen.locator('.entity', { hasText: 'terminated' });
    await waitForCount(terminated, 1, 30_000);
    await terminated.first().click();
    await expect
      .poll(() => screen.getByTestId('session-phases').locator('li').count())
      .toBeGreaterThanOrEqual(2);
    expect(await screen.getByTestId('session-phases').textContent()).toMatch(/terminated/);
    await expect.poll(() => screen.getByTestId('session-result').count()).toBe(1);
    const id = (await screen.getByTestId('entity-detail').locator('h2').textContent())!.trim();
    await waitForCount(screen.getByTestId('event-row'), 2);
    expect(new Set(await screen.getByTestId('event-row').locator('.entity').allTextContents())).toEqual(
      new Set([id]),
    );
    await screenshot(page, 'sessions');

    // An event of the session opens in full, in context, in its hub's tab.
    await screen.getByTestId('event-row').first().click();
    const detail = page.getByTestId('detail-pane');
    await detail.waitFor();
    await expect.poll(() => detail.locator('h2').textContent()).toMatch(/^session_/);
    expect(await page.getByTestId('pane-main').getAttribute('data-tab')).toBe('bai');
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
  });

  it('show background tasks with progress and outcome', async () => {
    await page.getByTestId('nav-task').click();
    const screen = page.getByTestId('entity-screen-task');
    await screen.waitFor();
    await waitForCount(screen.locator('.entity'), 3, 20_000);
    const done = screen.locator('.entity', { hasText: 'done' });
    await waitForCount(done, 1, 20_000);
    await done.first().click();
    expect(await screen.getByTestId('task-outcome').textContent()).toBe('done');
    expect(await screen.getByTestId('task-progress').textContent()).toMatch(/100%/);
    const failed = screen.locator('.entity', { hasText: 'failed' });
    await waitForCount(failed, 1);
    await failed.first().click();
    expect(await screen.getByTestId('task-outcome').textContent()).toBe('failed');
    await screenshot(page, 'tasks');
  });

  it('show bots with their snapshots, and servers with their crash history', async () => {
    await page.getByTestId('nav-bot').click();
    const bots = page.getByTestId('entity-screen-bot');
    await waitForCount(bots.locator('.entity'), 2);
    await expect.poll(() => bots.locator('.kv dt').count(), { timeout: 20_000 }).toBeGreaterThan(2);
    await screenshot(page, 'bots');

    await page.getByTestId('nav-server').click();
    const servers = page.getByTestId('entity-screen-server');
    const crashed = servers.locator('.entity', { hasText: /crash/ });
    await waitForCount(crashed, 1, 30_000);
    await crashed.first().click();
    await waitForCount(servers.getByTestId('crash-history').locator('tbody tr'), 1);
    await screenshot(page, 'servers');
  });

  it('start an rdev command and show its output and exit code', async () => {
    await page.getByTestId('nav-command').click();
    const screen = page.getByTestId('entity-screen-command');
    await screen.waitFor();
    // The demo build runs `npm test` at start: stdout and stderr, exit code 1.
    const npmTest = screen
      .locator('.entity')
      .filter({ has: page.locator('.cmd', { hasText: /^npm test$/ }) });
    await waitForCount(npmTest, 1);
    await npmTest.first().click();
    await expect
      .poll(() => screen.getByTestId('command-exit').textContent(), { timeout: 30_000 })
      .toBe('exit 1');
    expect(await screen.getByTestId('command-console').locator('.stderr').count()).toBeGreaterThan(0);
    await screenshot(page, 'commands');

    await page.getByTestId('command-hub').selectOption('build');
    await page.getByTestId('command-input').fill('exit 3');
    await page.getByTestId('command-run').click();
    await expect
      .poll(() => screen.getByTestId('command-console').textContent(), { timeout: 20_000 })
      .toMatch(/\$ exit 3/);
    await expect
      .poll(() => screen.getByTestId('command-exit').textContent(), { timeout: 20_000 })
      .toBe('exit 3');
  });
});

describe('alerts', () => {
  it('list what happened, jump to the event behind an alert, and mute a hub', async () => {
    await page.getByTestId('nav-alerts').click();
    const screen = page.getByTestId('alerts-screen');
    await waitForCount(screen.getByTestId('alert-item'), 2, 30_000);
    await screenshot(page, 'alerts');
    const crash = screen.getByTestId('alert-item').filter({ hasText: /crashed/ });
    await waitForCount(crash, 1, 30_000);
    await crash.first().click();
    await page.getByTestId('live-screen').waitFor();
    const detail = page.getByTestId('detail-pane');
    await detail.waitFor();
    await expect.poll(() => detail.locator('h2').textContent()).toBe('crash');
    await expect
      .poll(() => page.locator('[data-testid="event-row"].selected').count(), { timeout: 15_000 })
      .toBe(1);
    await page.keyboard.press('Escape');

    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('mute-cube').click();
    await expect.poll(() => page.getByTestId('mute-cube').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('mute-cube').click();
    await expect.poll(() => page.getByTestId('mute-cube').getAttribute('aria-pressed')).toBe('false');
  });
});

describe('export', () => {
  it('downloads the current tab’s events as NDJSON HubEvents', async () => {
    await showTab('bots');
    await page.getByTestId('pane-main').getByTestId('level-info').click();
    await expect.poll(async () => new Set(await column(page, 'level'))).toEqual(new Set(['info']));
    await page.getByTestId('open-export').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('format-ndjson').check();
    await dialog.getByTestId('scope-tab').check();
    const downloading = page.waitForEvent('download');
    await dialog.getByTestId('export-start').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.ndjson$/);
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const event = JSON.parse(line) as HubEvent;
      expect(Object.keys(event)).toEqual([...HUB_EVENT_KEYS]);
      expect(event.hub).toBe('bots');
      expect(event.level).toBe('info');
    }
    await expect.poll(() => dialog.getByTestId('export-progress').getAttribute('data-state')).toBe('done');
    await screenshot(page, 'export');
  });

  it('downloads everything as CSV within a time range', async () => {
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('format-csv').check();
    await dialog.getByTestId('scope-everything').check();
    await dialog.getByTestId('export-from').fill('2000-01-01T00:00:00');
    const downloading = page.waitForEvent('download');
    await dialog.getByTestId('export-start').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    const [header, ...body] = text.trim().split(/\r?\n/);
    expect(header).toMatch(/^hub,seq,/);
    const hubs = new Set(body.map((line) => line.split(',')[0]));
    expect(hubs.size).toBeGreaterThan(3);
    await page.keyboard.press('Escape');
    await clearFilter();
  });
});

describe('themes and times', () => {
  it('switches to relative times and back', async () => {
    await showTab('all');
    await page.getByTestId('time-format').click();
    await expect
      .poll(async () => (await column(page, 'time')).every((time) => /ago|now/.test(time)))
      .toBe(true);
    await page.getByTestId('time-format').click();
    await expect
      .poll(async () => (await column(page, 'time')).every((time) => /^\d\d:\d\d:\d\d\.\d{3}$/.test(time)))
      .toBe(true);
  });

  it('uses the dark theme when the operator picks it', async () => {
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate("document.documentElement.dataset['theme']")).toBe('dark');
    const background = await page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    expect(background).toBe('rgb(14, 17, 22)');
    expect(await shownTotal(page)).toBeGreaterThan(0);
    await screenshot(page, 'dark-theme');
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate("document.documentElement.dataset['theme']")).toBeUndefined();
  });

  it('follows the operating system’s dark mode by default', async () => {
    const dark = await openApp(browser, serve.openUrl, { colorScheme: 'dark' });
    const background = await dark.page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    expect(background).toBe('rgb(14, 17, 22)');
    expect(dark.problems).toEqual([]);
    await dark.page.context().close();
  });

  it('reported no CSP violations or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});

describe('losing hubwatch serve', () => {
  it('says it is reconnecting, and fails what was waiting with words', async () => {
    await serve.stop();
    const banner = page.getByTestId('reconnecting-banner');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/Reconnecting to hubwatch serve/);
    await screenshot(page, 'reconnecting-serve');
  });
});
