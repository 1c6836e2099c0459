/**
 * The app shell through `hubwatch serve`: the token guards every request, the page loads
 * under its strict CSP without errors, and it talks to the engine over the API socket.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser';
import { startServe, type ServeProcess } from './support/serve';
import { column, openApp, rows, waitForCount } from './support/ui';

let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  [serve, browser] = await Promise.all([startServe([]), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('the app shell', () => {
  it('loads through hubwatch serve under its CSP, offers the demo on first start, and fills with live data', async () => {
    const { page, problems } = await openApp(browser, serve.openUrl);
    expect(await page.getByTestId('app-shell').getAttribute('data-transport')).toBe('browser');
    // The first-run screen appears only once the engine answered that no hub is configured.
    await page.getByTestId('welcome').waitFor();
    expect(new URL(page.url()).search).toBe('');

    // One click starts the demo hub; its hubs fill the tabs with live events.
    await page.getByTestId('start-demo').click();
    await page.getByTestId('live-screen').waitFor({ timeout: 20_000 });
    await waitForCount(rows(page), 10, 20_000);
    await expect.poll(async () => new Set(await column(page, 'hub')).size).toBeGreaterThan(3);
    expect(await page.getByTestId('stream-tabs').getByRole('tab').count()).toBe(10);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('hubwatch serve', () => {
  it('refuses the page, its assets and the API without the token', async () => {
    const page = await fetch(`${serve.origin}/`, { redirect: 'manual' });
    expect(page.status).toBe(401);
    expect(await page.text()).toMatch(/open the URL hubwatch serve printed/);
    const asset = await fetch(`${serve.origin}/favicon.svg`, { redirect: 'manual' });
    expect(asset.status).toBe(401);
    const wrong = await fetch(`${serve.origin}/?token=not-the-token`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    const refused = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`${serve.origin.replace('http', 'ws')}/api`);
      socket.onopen = () => resolve('open');
      socket.onerror = () => resolve('refused');
    });
    expect(refused).toBe('refused');
  });

  it('trades the token in the URL for an HttpOnly cookie and serves the UI with it', async () => {
    const first = await fetch(serve.openUrl, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    const page = await fetch(`${serve.origin}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toMatch(/<div id="app">/);
  });
});
