/**
 * Numbers in the detail pane exactly as the hub sent them, in Chromium through
 * `hubwatch serve` watching a real SSE server on loopback: a 20-digit integer, a number
 * past the double range, `-0`, `1.0` and `1E5` keep their text in the JSON tree and in
 * "Copy as JSON" (a double would show 12345678901234567000, null, 0, 1 and 100000).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseHead, startTestServer, type TestServer } from '../support/sse-test-server';
import { launchChromium, screenshot } from './support/browser';
import { startServe, type ServeProcess } from './support/serve';
import { openApp, rows, waitForCount, type AppPage } from './support/ui';

const PAYLOAD =
  '{"msg":"numbers as sent","big":12345678901234567890,"huge":1e400,' +
  '"negativeZero":-0,"oneDotZero":1.0,"exponent":1E5,"plain":42,"list":[9007199254740993,0.1]}';

let hub: TestServer;
let dir: string;
let serve: ServeProcess;
let browser: Browser;
let app: AppPage;
let page: Page;

beforeAll(async () => {
  hub = await startTestServer({
    http: (_req, res) => {
      sseHead(res);
      // One event, then the stream stays open: nothing reconnects or repeats.
      res.write(`id: 1\nevent: reading\ndata: ${PAYLOAD}\n\n`);
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'hubwatch-e2e-numbers-'));
  const config = join(dir, 'hubs.json');
  await writeFile(
    config,
    JSON.stringify({
      hubs: [
        {
          id: 'numbers',
          name: 'Numbers',
          dialect: 'generic',
          url: `${hub.url}/stream`,
          fields: { message: 'msg' },
        },
      ],
    }),
  );
  [serve, browser] = await Promise.all([startServe(['--config', config]), launchChromium()]);
  app = await openApp(browser, serve.openUrl);
  page = app.page;
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await hub?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The text of the tree's leaf under `key` (its value, without the key). */
async function leaf(key: string): Promise<string> {
  const row = page
    .getByTestId('json-tree')
    .locator('.leaf')
    .filter({ has: page.locator('.key', { hasText: new RegExp(`^${key}$`) }) });
  return ((await row.locator('.value').textContent()) ?? '').trim();
}

describe('the detail pane', () => {
  it('shows every number of the payload as the hub sent it', async () => {
    await page.getByTestId('tab-numbers').click();
    await waitForCount(rows(page), 1);
    await rows(page).first().click();
    const detail = page.getByTestId('detail-pane');
    await detail.waitFor();
    await expect.poll(() => detail.getByTestId('json-tree').textContent()).toMatch(/big/);

    expect(await leaf('big')).toBe('12345678901234567890');
    expect(await leaf('huge')).toBe('1e400');
    expect(await leaf('negativeZero')).toBe('-0');
    expect(await leaf('oneDotZero')).toBe('1.0');
    expect(await leaf('exponent')).toBe('1E5');
    expect(await leaf('plain')).toBe('42');
    expect(await leaf('0')).toBe('9007199254740993');
    expect(await leaf('1')).toBe('0.1');
    expect(await leaf('msg')).toBe('"numbers as sent"');
    const tree = (await detail.getByTestId('json-tree').textContent()) ?? '';
    expect(tree).not.toContain('12345678901234567000');
    expect(tree).not.toMatch(/huge:\s*null/);
    await screenshot(page, 'detail-numbers');
  });

  it('copies the record as JSON with the numbers’ own text', async () => {
    const detail = page.getByTestId('detail-pane');
    await detail.getByTestId('copy-json').click();
    await expect.poll(() => detail.getByTestId('copy-json').textContent()).toMatch(/Copied/);
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(copied).toContain('"big": 12345678901234567890');
    expect(copied).toContain('"huge": 1e400');
    expect(copied).toContain('"negativeZero": -0');
    expect(copied).toContain('"oneDotZero": 1.0');
    expect(copied).toContain('"exponent": 1E5');
    expect(copied).toContain('9007199254740993');
    // Still one JSON document with the record's keys.
    expect(Object.keys(JSON.parse(copied) as object)).toContain('receivedAt');
  });
});
