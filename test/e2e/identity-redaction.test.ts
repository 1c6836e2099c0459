/**
 * A hub whose id and name contain its own short token (issue #15, item 2), in Chromium
 * through `hubwatch serve`: it is shown under its real id and name with the token masked in
 * its events, edited, renamed and removed without errors or a phantom hub, the page
 * reloads, an export can scrub payloads, and the editor warns about such a short secret.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/shared/hub-event';
import { launchChromium, screenshot } from './support/browser';
import { startServe, type ServeProcess } from './support/serve';
import { column, openApp, rows, waitForCount, type AppPage } from './support/ui';
import { startTokenEchoHub, type TokenEchoHub } from '../support/token-echo-hub';

const TOKEN = 'fleet';
let hub: TokenEchoHub | undefined;
let dir: string;
let configPath: string;
let serve: ServeProcess;
let browser: Browser;
let app: AppPage;
let page: Page;

beforeAll(async () => {
  // Protocube-like: the token is checked, and (carelessly) echoed into crash reasons.
  hub = await startTokenEchoHub(TOKEN);
  const url = hub.url;
  dir = mkdtempSync(join(tmpdir(), 'hubwatch-e2e-identity-'));
  configPath = join(dir, 'hubs.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      hubs: [
        {
          id: 'ops-fleet',
          name: 'Ops fleet',
          dialect: 'protocube',
          url,
          auth: { type: 'bearer', token: TOKEN },
        },
      ],
    }),
  );
  [serve, browser] = await Promise.all([startServe(['--config', configPath]), launchChromium()]);
  app = await openApp(browser, serve.openUrl);
  page = app.page;
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The hub ids the hub manager lists. */
async function listedHubs(): Promise<string[]> {
  const rowsShown = await page.getByTestId('hubs-screen').locator('[data-testid^="hub-row-"]').all();
  const ids = await Promise.all(rowsShown.map((row) => row.getAttribute('data-testid')));
  return ids.map((id) => (id ?? '').replace(/^hub-row-/, ''));
}

/** Opens the editor of `id`, lets `change` fill it in, saves, and waits for the editor to close. */
async function editHub(id: string, change: () => Promise<void>): Promise<void> {
  await page.getByTestId('nav-hubs').click();
  await page.getByTestId(`hub-edit-${id}`).click();
  await page.getByTestId('hub-editor').waitFor();
  await change();
  await page.getByTestId('hub-save').click();
  await page.getByTestId('hub-editor').waitFor({ state: 'hidden' });
}

describe('a hub whose id and name contain its own token', () => {
  it('is shown under its id and name, with the token masked in its events', async () => {
    await page.getByTestId('tab-ops-fleet').click();
    await waitForCount(rows(page), 2);
    expect(await page.getByTestId('tab-ops-fleet').textContent()).toContain('Ops fleet');
    expect(await column(page, 'message')).toEqual([
      'srv-fleet → running',
      'srv-fleet crashed: auth REDACTED expired, see http://h.test/e?token=REDACTED (exit 137)',
    ]);
    await screenshot(page, 'identity-redaction-list');
  });

  it('exports its payloads as received, and scrubbed when the dialog is asked to', async () => {
    const reasonOf = async (scrub: boolean): Promise<string> => {
      await page.getByTestId('open-export').click();
      const dialog = page.getByTestId('export-dialog');
      await dialog.getByTestId('format-ndjson').check();
      await dialog.getByTestId('scope-everything').check();
      await dialog.getByTestId('export-scrub').setChecked(scrub);
      const downloading = page.waitForEvent('download');
      await dialog.getByTestId('export-start').click();
      const download = await downloading;
      await expect.poll(() => dialog.getByTestId('export-progress').getAttribute('data-state')).toBe('done');
      if (scrub) await screenshot(page, 'identity-redaction-export');
      await page.keyboard.press('Escape');
      const events = (await readFile(await download.path(), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as HubEvent);
      expect(events.map((event) => event.hub)).toEqual(['ops-fleet', 'ops-fleet']);
      return (events[1]!.data as { Data: { payload: { reason: string } } }).Data.payload.reason;
    };
    expect(await reasonOf(false)).toBe('auth REDACTED expired, see http://h.test/e?token=abc123');
    expect(await reasonOf(true)).toBe('auth REDACTED expired, see http://h.test/e?token=REDACTED');
  });

  it('is edited and renamed without an error or a phantom hub', async () => {
    await editHub('ops-fleet', () => page.getByTestId('hub-name').fill('Ops fleet west'));
    expect(await listedHubs()).toEqual(['ops-fleet']);
    expect(await page.getByTestId('hub-row-ops-fleet').textContent()).toContain('Ops fleet west');

    await editHub('ops-fleet', () => page.getByTestId('hub-id').fill('ops-fleet-west'));
    await expect.poll(listedHubs).toEqual(['ops-fleet-west']);
    // The renamed hub keeps its token: it connects again and shows its events.
    await page.getByTestId('tab-ops-fleet-west').click();
    await waitForCount(rows(page), 2);
    const saved = JSON.parse(readFileSync(configPath, 'utf8')) as { hubs: { id: string; name: string }[] };
    expect(saved.hubs.map((entry) => [entry.id, entry.name])).toEqual([['ops-fleet-west', 'Ops fleet west']]);
  });

  it('survives a reload of the page', async () => {
    await page.reload();
    await page.getByTestId('app-shell').waitFor();
    await page.getByTestId('loading').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId('tab-ops-fleet-west').count()).toBe(1);
  });

  it('gets a warning in the editor when a secret is shorter than 8 characters', async () => {
    await page.getByTestId('nav-hubs').click();
    await page.getByTestId('add-hub').click();
    await page.getByTestId('hub-editor').waitFor();
    await page.getByTestId('hub-dialect').selectOption('bot-hub');
    await page.getByTestId('hub-secret-value').fill(TOKEN);
    expect(await page.getByTestId('hub-secret-short').textContent()).toMatch(
      /shorter than 8 characters.*by chance in event text/i,
    );
    await page.getByTestId('hub-secret').scrollIntoViewIfNeeded();
    await screenshot(page, 'identity-redaction-short-secret');
    await page.getByTestId('hub-secret-value').fill('a-long-enough-token');
    expect(await page.getByTestId('hub-secret-short').count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByTestId('hub-editor').waitFor({ state: 'hidden' });
  });

  it('is removed, leaving no hub behind', async () => {
    await page.getByTestId('nav-hubs').click();
    await page.getByTestId('hub-remove-ops-fleet-west').click();
    await page.getByTestId('hub-remove-confirm-ops-fleet-west').click();
    await page.getByTestId('hub-row-ops-fleet-west').waitFor({ state: 'detached' });
    expect(await listedHubs()).toEqual([]);
    expect(await page.locator('[data-testid^="tab-ops-fleet"]').count()).toBe(0);
  });

  it('reported no page errors (no duplicate keys) or CSP violations', () => {
    expect(app.problems).toEqual([]);
  });
});
