/**
 * First start and the hub manager, in Chromium through `hubwatch serve` with no hubs:
 * the welcome screen, then a hub of every kind added through the form against a demo hub
 * (its endpoints and credentials), test connection with a wrong token, validation errors
 * next to their field, enable/disable and remove.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoHub, type DemoHub } from '../../src/demo-hub/demo-hub';
import { DEMO_CREDENTIALS, DEMO_TASK_IDS } from '../../src/demo-hub/demo-config';
import { launchChromium, screenshot } from './support/browser';
import { startServe, type ServeProcess } from './support/serve';
import { openApp, rows, waitForCount, type AppPage } from './support/ui';

let demo: DemoHub;
let serve: ServeProcess;
let browser: Browser;
let app: AppPage;
let page: Page;

beforeAll(async () => {
  [demo, serve, browser] = await Promise.all([startDemoHub({ port: 0 }), startServe([]), launchChromium()]);
  app = await openApp(browser, serve.openUrl);
  page = app.page;
});

// A failed test must not leave the editor open over the next one.
afterEach(async () => {
  if (await page.getByTestId('hub-editor').isVisible()) {
    await page.keyboard.press('Escape');
    await page.getByTestId('hub-editor').waitFor({ state: 'hidden' });
  }
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await demo?.close();
});

/** Opens the editor for a new hub and fills the fields every hub has. */
async function startHub(name: string, dialect: string): Promise<void> {
  await page.getByTestId('add-hub').click();
  const editor = page.getByTestId('hub-editor');
  await editor.waitFor();
  await page.getByTestId('hub-dialect').selectOption(dialect);
  await page.getByTestId('hub-name').fill(name);
}

/** Saves the editor and waits for the new hub's tab to show events. */
async function saveAndSeeEvents(id: string, minimum = 1): Promise<void> {
  await page.getByTestId('hub-save').click();
  await page.getByTestId('hub-editor').waitFor({ state: 'hidden' });
  await expect.poll(() => page.getByTestId('pane-main').getAttribute('data-tab')).toBe(id);
  await waitForCount(rows(page), minimum, 25_000);
  const hubs = await rows(page).locator('.event').allTextContents();
  expect(hubs.length).toBeGreaterThan(0);
}

describe('first start', () => {
  it('offers the demo hub and adding a hub when nothing is configured', async () => {
    await page.getByTestId('welcome').waitFor();
    await expect.poll(() => page.getByTestId('start-demo').isVisible()).toBe(true);
    expect(await page.getByTestId('welcome-add-hub').isVisible()).toBe(true);
    await screenshot(page, 'welcome');
  });
});

describe('the hub manager', () => {
  it('adds a bot hub with a bearer token and shows its events live', async () => {
    await page.getByTestId('welcome-add-hub').click();
    await page.getByTestId('hub-editor').waitFor();
    await page.getByTestId('hub-name').fill('E2E bots');
    expect(await page.getByTestId('hub-id').inputValue()).toBe('e2e-bots');
    await page.getByTestId('hub-url').fill(`${demo.url}/bot-hub/events`);
    await page.getByTestId('hub-secret-value').fill(DEMO_CREDENTIALS.botHubToken);
    await saveAndSeeEvents('e2e-bots', 3);
    await expect.poll(() => page.getByTestId('tab-state-e2e-bots').textContent()).toMatch(/events/);
  });

  it('tests a connection with a wrong token and shows the request, the 401 and the hint', async () => {
    await startHub('Wrong token', 'bot-hub');
    await page.getByTestId('hub-url').fill(`${demo.url}/bot-hub/events`);
    await page.getByTestId('hub-secret-value').fill('not-the-token');
    await page.getByTestId('hub-test').click();
    const report = page.getByTestId('probe-report');
    await report.waitFor({ timeout: 15_000 });
    expect(await report.getAttribute('data-outcome')).toBe('failed');
    expect(await page.getByTestId('probe-status').textContent()).toMatch(/HTTP 401/);
    expect(await page.getByTestId('probe-hint').textContent()).toMatch(/token|credential|401/i);
    const shown = await report.textContent();
    expect(shown).toMatch(/GET/);
    expect(shown).not.toContain('not-the-token');
    await screenshot(page, 'hub-editor-test-connection');
  });

  it('tests a connection with the right token and sees its first frames', async () => {
    await startHub('Right token', 'bot-hub');
    await page.getByTestId('hub-url').fill(`${demo.url}/bot-hub/events`);
    await page.getByTestId('hub-secret-value').fill(DEMO_CREDENTIALS.botHubToken);
    await page.getByTestId('hub-test').click();
    const report = page.getByTestId('probe-report');
    await expect.poll(() => report.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('ok');
    expect(await page.getByTestId('probe-status').textContent()).toMatch(/HTTP 200/);
    await page.keyboard.press('Escape');
    await page.getByTestId('hub-editor').waitFor({ state: 'hidden' });
  });

  it('shows mistakes next to their field, including those only the engine finds', async () => {
    await startHub('E2E bots', 'bot-hub');
    await page.getByTestId('hub-url').fill('ftp://nowhere');
    await page.getByTestId('hub-secret-value').fill(DEMO_CREDENTIALS.botHubToken);
    await page.getByTestId('hub-save').click();
    await expect.poll(() => page.getByTestId('error-id').textContent()).toMatch(/already exists/);
    expect(await page.getByTestId('error-url').textContent()).toMatch(/http/);

    // The engine limits names to 200 characters; the form leaves that to it.
    await page.getByTestId('hub-id').fill('e2e-long-name');
    await page.getByTestId('hub-url').fill(`${demo.url}/bot-hub/events`);
    await page.getByTestId('hub-name').fill('n'.repeat(250));
    await page.getByTestId('hub-id').fill('e2e-long-name');
    await page.getByTestId('hub-save').click();
    await expect.poll(() => page.getByTestId('error-name').textContent()).toMatch(/too long/);
    expect(await page.getByTestId('hub-editor').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('hub-editor').waitFor({ state: 'hidden' });
  });

  it('adds a Protocube hub over WebSocket', async () => {
    await startHub('E2E cube ws', 'protocube');
    await page.getByTestId('hub-url').fill(`${demo.url.replace('http', 'ws')}/protocube/api/events/ws`);
    await page.getByTestId('hub-transport').selectOption('websocket');
    await page.getByTestId('hub-secret-value').fill(DEMO_CREDENTIALS.protocubeToken);
    await saveAndSeeEvents('e2e-cube-ws', 2);
    expect(await page.getByTestId('pane-main').textContent()).toMatch(/ws/);
  });

  it('adds an EvoClaw hub with its polling fallback URL', async () => {
    await startHub('E2E evo', 'evoclaw');
    await page.getByTestId('hub-url').fill(`${demo.url}/evoclaw/api/logs/stream`);
    await page.getByTestId('hub-poll-url').fill(`${demo.url}/evoclaw/api/status`);
    await saveAndSeeEvents('e2e-evo', 2);
  });

  it('adds an rdev hub that runs a command and follows its output', async () => {
    await startHub('E2E rdev', 'rdev');
    await page.getByTestId('hub-url').fill(`${demo.url}/rdev`);
    await page.getByTestId('hub-project').fill('demo');
    await page.getByTestId('hub-command').fill('echo hello from e2e');
    expect(await page.getByTestId('hub-auth-name').inputValue()).toBe('X-API-Key');
    await page.getByTestId('hub-secret-value').fill(DEMO_CREDENTIALS.rdevApiKey);
    await saveAndSeeEvents('e2e-rdev', 2);
    await expect
      .poll(() => page.getByTestId('pane-main').getByTestId('event-row').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(/hello from e2e/)]));
  });

  it('adds a Backend.AI sessions hub with a signed keypair, building its URL', async () => {
    await startHub('E2E sessions', 'backendai');
    await page.getByTestId('hub-bai-base').fill(`${demo.url}/backendai`);
    expect(await page.getByTestId('hub-url-preview').textContent()).toBe(
      `${demo.url}/backendai/events/session?sessionId=*&group=*`,
    );
    await page.getByTestId('hub-access-key').fill(DEMO_CREDENTIALS.backendAi.accessKey);
    await page.getByTestId('hub-secret-value').fill(DEMO_CREDENTIALS.backendAi.secretKey);
    await screenshot(page, 'hub-editor-backendai');
    await saveAndSeeEvents('e2e-sessions', 2);
  });

  it('adds a Backend.AI background task hub by task id', async () => {
    await startHub('E2E task', 'backendai');
    await page.getByTestId('hub-bai-base').fill(`${demo.url}/backendai`);
    await page.getByTestId('hub-bai-mode-task').check();
    await page.getByTestId('hub-bai-task').fill(DEMO_TASK_IDS.done);
    await page.getByTestId('hub-access-key').fill(DEMO_CREDENTIALS.backendAi.accessKey);
    await page.getByTestId('hub-secret-value').fill(DEMO_CREDENTIALS.backendAi.secretKey);
    await saveAndSeeEvents('e2e-task', 2);
    expect(await rows(page).locator('.event').allTextContents()).toEqual(
      expect.arrayContaining(['task_updated']),
    );
  });

  it('adds a generic SSE hub with a field map', async () => {
    await startHub('E2E generic', 'generic');
    await page.getByTestId('hub-url').fill(`${demo.url}/evoclaw/api/logs/stream`);
    const fieldMap = page.getByTestId('hub-editor').locator('.fieldmap');
    await fieldMap.locator('label', { hasText: 'level' }).locator('input').fill('level');
    await fieldMap.locator('label', { hasText: 'message' }).locator('input').fill('message');
    await fieldMap.locator('label', { hasText: 'source' }).locator('input').fill('component');
    await saveAndSeeEvents('e2e-generic', 2);
    const sources = await rows(page).locator('.source').allTextContents();
    expect(sources.some((source) => source.length > 0)).toBe(true);
  });

  it('counts down to the next attempt while a hub reconnects, and marks the gap inline', async () => {
    await page.getByTestId('tab-all').click();
    await demo.restart(4000);
    await expect
      .poll(() => page.getByTestId('tab-state-e2e-cube-ws').textContent(), { timeout: 15_000 })
      .toMatch(/reconnecting in \d+ s/);
    await screenshot(page, 'reconnecting');
    // The WebSocket hub cannot resume: once back, a gap marker sits where events may be missing.
    await waitForCount(page.getByTestId('pane-main').getByTestId('gap-row'), 1, 30_000);
    // The marker's own reason, not a generic line.
    expect(await page.getByTestId('pane-main').getByTestId('gap-row').first().textContent()).toMatch(
      /gap on .+ at [\d:.]+: .+ may be missing/,
    );
  });

  it('lists every hub, edits one without revealing its secret, disables, pauses and removes hubs', async () => {
    await page.getByTestId('nav-hubs').click();
    await page.getByTestId('hubs-screen').waitFor();
    for (const id of [
      'e2e-bots',
      'e2e-cube-ws',
      'e2e-evo',
      'e2e-rdev',
      'e2e-sessions',
      'e2e-task',
      'e2e-generic',
    ]) {
      expect(await page.getByTestId(`hub-row-${id}`).count()).toBe(1);
    }
    await screenshot(page, 'hub-manager');

    await page.getByTestId('hub-edit-e2e-bots').click();
    await page.getByTestId('hub-editor').waitFor();
    expect(await page.getByTestId('hub-secret-state').textContent()).toBe('set');
    expect(await page.getByTestId('hub-editor').innerHTML()).not.toContain(DEMO_CREDENTIALS.botHubToken);
    await page.keyboard.press('Escape');

    await page.getByTestId('hub-enabled-e2e-evo').uncheck();
    await expect.poll(() => page.getByTestId('tab-state-e2e-evo').textContent()).toMatch(/disabled/);
    await page.getByTestId('hub-enabled-e2e-evo').check();
    await expect.poll(() => page.getByTestId('tab-state-e2e-evo').textContent()).not.toMatch(/disabled/);

    await page.getByTestId('pause-all').click();
    await expect.poll(() => page.getByTestId('tab-state-e2e-bots').textContent()).toMatch(/paused/);
    expect(await page.getByTestId('pause-all').textContent()).toMatch(/Resume all hubs/);
    await page.getByTestId('pause-all').click();
    await expect.poll(() => page.getByTestId('tab-state-e2e-bots').textContent()).not.toMatch(/paused/);

    await page.getByTestId('hub-remove-e2e-generic').click();
    await page.getByTestId('hub-remove-confirm-e2e-generic').click();
    await page.getByTestId('hub-row-e2e-generic').waitFor({ state: 'detached' });
    expect(await page.getByTestId('tab-e2e-generic').count()).toBe(0);
  });

  it('reported no CSP violations or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
