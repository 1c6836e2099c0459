import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserWindow } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitReady, resetStub, stub } from './support/electron';

const { SafeStorageVault, askWithDialog, detectProtection } = await import('../../../src/main/secret-vault');
const { ApiCallError } = await import('../../../src/shared/api');

type Question = Parameters<Parameters<typeof SafeStorageVault.open>[0]['ask']>[0];
type Choice = 'session' | 'weak-disk' | 'cancel';

const SECRET = 'sls_live_9f8e7d6c5b4a';

describe('the secret vault', () => {
  let dir: string;
  let questions: Question[];
  let answer: Choice;
  let notices: { level: string; message: string }[];
  const open = (platform: NodeJS.Platform = 'linux') =>
    SafeStorageVault.open({
      dir,
      platform,
      ask: (question) => {
        questions.push(question);
        return Promise.resolve(answer);
      },
      notice: (level, message) => notices.push({ level, message }),
      now: () => Date.UTC(2026, 4, 8),
    });
  const secretsFile = () => readFileSync(join(dir, 'secrets.json'), 'utf8');

  beforeEach(() => {
    resetStub();
    dir = mkdtempSync(join(tmpdir(), 'hubwatch-vault-'));
    questions = [];
    answer = 'cancel';
    notices = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not open before the app is ready: safeStorage is not usable then', async () => {
    await expect(open()).rejects.toThrow(/after the app is ready/);
  });

  describe('with an OS keyring', () => {
    beforeEach(() => emitReady());

    it('stores a secret encrypted in secrets.json, keyed by a reference, never in plain text', async () => {
      const vault = await open();
      const ref = await vault.store('cube', 'auth.token', SECRET);
      expect(ref).toMatch(/^cube\/auth\.token\/[0-9a-f]{12}$/);
      expect(vault.get(ref)).toBe(SECRET);
      const file = JSON.parse(secretsFile()) as {
        entries: Record<string, { data: string; protection: string }>;
      };
      expect(Object.keys(file.entries)).toEqual([ref]);
      expect(file.entries[ref]?.protection).toBe('os');
      // base64 of what safeStorage.encryptStringAsync returned
      expect(Buffer.from(file.entries[ref]!.data, 'base64').toString('utf8')).toMatch(/^enc:/);
      expect(secretsFile()).not.toContain(SECRET);
      expect(secretsFile()).not.toContain(Buffer.from(SECRET).toString('base64'));
      expect(questions).toEqual([]);
    });

    it('decrypts what it stored after a restart, and forgets what was removed', async () => {
      const first = await open();
      const keep = await first.store('cube', 'auth.token', SECRET);
      const drop = await first.store('bots', 'auth.token', 'bot-token-1');
      first.remove(drop);
      const again = await open();
      expect(again.get(keep)).toBe(SECRET);
      expect(again.get(drop)).toBeUndefined();
      expect(secretsFile()).not.toContain(drop);
    });

    it('re-encrypts a secret safeStorage says should be (a rotated key), and leaves the file alone otherwise', async () => {
      const first = await open();
      const ref = await first.store('cube', 'auth.token', SECRET);
      // Compact JSON: a rewrite by electron-store (tab-indented) shows in the text.
      const compact = JSON.stringify(JSON.parse(secretsFile()));
      writeFileSync(join(dir, 'secrets.json'), compact);
      expect((await open()).get(ref)).toBe(SECRET);
      expect(secretsFile()).toBe(compact);
      stub.shouldReEncrypt = true;
      expect((await open()).get(ref)).toBe(SECRET);
      expect(secretsFile()).not.toBe(compact);
      expect(JSON.parse(secretsFile())).toEqual(JSON.parse(compact));
      expect(notices).toEqual([]);
    });

    it('keeps an entry it cannot decrypt in the file and says the secret must be entered again', async () => {
      const first = await open();
      const ref = await first.store('cube', 'auth.token', SECRET);
      const file = JSON.parse(secretsFile()) as { entries: Record<string, { data: string }> };
      file.entries[ref]!.data = Buffer.from('garbage').toString('base64');
      writeFileSync(join(dir, 'secrets.json'), JSON.stringify(file));
      const again = await open();
      expect(again.get(ref)).toBeUndefined();
      expect(secretsFile()).toContain(ref);
      expect(notices).toEqual([
        {
          level: 'warn',
          message: expect.stringContaining('1 stored secret could not be decrypted') as unknown,
        },
      ]);
    });

    it('moves an unreadable secrets.json aside and tells the operator', async () => {
      writeFileSync(join(dir, 'secrets.json'), 'not json');
      const vault = await open();
      expect(readdirSync(dir).some((name) => /^secrets\.corrupt-.*\.json$/.test(name))).toBe(true);
      expect(notices[0]).toMatchObject({
        level: 'error',
        message: expect.stringContaining('moved aside') as unknown,
      });
      expect(vault.status().kind).toBe('encrypted');
    });

    it('says where secrets are kept, per OS', async () => {
      expect((await open('linux')).status()).toMatchObject({
        kind: 'encrypted',
        detail: expect.stringContaining('Secret Service') as unknown,
      });
      expect((await open('darwin')).status().detail).toContain('macOS Keychain');
      expect((await open('win32')).status().detail).toContain('DPAPI');
      stub.storageBackend = 'kwallet6';
      expect((await open('linux')).status().detail).toContain('KWallet');
    });

    it('keeps an inline secret found in settings encrypted, without asking', async () => {
      const vault = await open();
      const ref = vault.keepInline('cube', 'auth.token', SECRET);
      expect(vault.get(ref)).toBe(SECRET);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(secretsFile()).toContain(ref);
      expect(secretsFile()).not.toContain(SECRET);
    });

    it('holds demo credentials in memory only', async () => {
      const vault = await open();
      vault.keepInMemory('demo/cube/auth.token', 'sls_live_demo');
      expect(vault.get('demo/cube/auth.token')).toBe('sls_live_demo');
      await vault.store('x', 'auth.token', 'other');
      expect(secretsFile()).not.toContain('demo/cube');
    });
  });

  describe('on Linux without a keyring (basic_text)', () => {
    beforeEach(() => {
      stub.storageBackend = 'basic_text';
      emitReady();
    });

    it('detects the weak protection', async () => {
      expect(await detectProtection('linux')).toEqual({ protection: 'weak', backend: 'basic_text' });
    });

    it('asks before storing anything, and a refusal fails the save with a clear error naming the field', async () => {
      const vault = await open();
      expect(vault.status().kind).toBe('unavailable');
      expect(vault.status().detail).toMatch(/No system keyring/);
      answer = 'cancel';
      const saving = vault.store('cube', 'auth.token', SECRET);
      await expect(saving).rejects.toBeInstanceOf(ApiCallError);
      await expect(saving).rejects.toMatchObject({
        field: 'auth.token',
        message: expect.stringMatching(/not saved/) as unknown,
      });
      expect(questions).toEqual([
        { protection: 'weak', hubId: 'cube', field: 'auth.token', backend: 'basic_text' },
      ]);
      expect(JSON.parse(secretsFile())).toEqual({ version: 1, entries: {} });
    });

    it('keeps the secret in memory only when the operator chooses this session, and does not ask again', async () => {
      const vault = await open();
      answer = 'session';
      const one = await vault.store('cube', 'auth.token', SECRET);
      const two = await vault.store('bots', 'auth.token', 'bot-token');
      expect(vault.get(one)).toBe(SECRET);
      expect(vault.get(two)).toBe('bot-token');
      expect(questions).toHaveLength(1);
      expect(secretsFile()).not.toContain('cube');
      expect(vault.status().detail).toMatch(/kept in memory only/);
      expect((await open()).get(one)).toBeUndefined();
    });

    it('asks once for two saves made at the same time', async () => {
      const vault = await open();
      answer = 'session';
      await Promise.all([vault.store('a', 'auth.token', '1'), vault.store('b', 'auth.token', '2')]);
      expect(questions).toHaveLength(1);
    });

    it('stores with the weak protection only when the operator says so, and marks it weak', async () => {
      const vault = await open();
      answer = 'weak-disk';
      const ref = await vault.store('cube', 'auth.token', SECRET);
      const file = JSON.parse(secretsFile()) as { entries: Record<string, { protection: string }> };
      expect(file.entries[ref]?.protection).toBe('weak');
      expect(secretsFile()).not.toContain(SECRET);
    });

    it('keeps an inline secret from settings for this session only and says so', async () => {
      const vault = await open();
      const ref = vault.keepInline('cube', 'auth.token', SECRET);
      expect(vault.get(ref)).toBe(SECRET);
      expect(secretsFile()).not.toContain(ref);
      expect(notices[0]?.message).toMatch(/kept only until Hubwatch quits/);
      expect(questions).toEqual([]);
    });
  });

  describe('without any encryption', () => {
    beforeEach(() => {
      stub.encryptionAvailable = false;
      emitReady();
    });

    it('asks, and can only keep the secret for this session', async () => {
      const vault = await open('win32');
      expect(vault.status()).toMatchObject({
        kind: 'unavailable',
        detail: expect.stringMatching(/not available/) as unknown,
      });
      answer = 'weak-disk'; // not offered here: never written
      const ref = await vault.store('cube', 'auth.token', SECRET);
      expect(questions[0]?.protection).toBe('none');
      expect(vault.get(ref)).toBe(SECRET);
      expect(JSON.parse(secretsFile())).toEqual({ version: 1, entries: {} });
    });
  });
});

describe('the storage question as a dialog', () => {
  beforeEach(() => resetStub());

  it('offers session, weak storage and cancel for basic_text, modal to the window', async () => {
    const { electron } = await import('./support/electron');
    const window = new electron.BrowserWindow({});
    stub.messageBoxResponse = 1;
    const ask = askWithDialog(() => window as unknown as BrowserWindow);
    expect(await ask({ protection: 'weak', hubId: 'cube', field: 'auth.token', backend: 'basic_text' })).toBe(
      'weak-disk',
    );
    const shown = stub.dialogs[0]!;
    expect(shown.window).toBe(window);
    expect(shown.options).toMatchObject({
      type: 'warning',
      buttons: ['Keep for this session only', 'Store with weak protection', 'Cancel'],
      cancelId: 2,
      detail: expect.stringContaining('hub "cube"') as unknown,
    });
    stub.messageBoxResponse = 2;
    expect(await ask({ protection: 'weak', hubId: 'cube', field: 'auth.token', backend: 'basic_text' })).toBe(
      'cancel',
    );
  });

  it('offers only session and cancel when nothing can be encrypted', async () => {
    stub.messageBoxResponse = 1;
    const ask = askWithDialog(() => null);
    expect(await ask({ protection: 'none', hubId: 'cube', field: 'auth.token', backend: null })).toBe(
      'cancel',
    );
    expect(stub.dialogs[0]?.options['buttons']).toEqual(['Keep for this session only', 'Cancel']);
    stub.messageBoxResponse = 0;
    expect(await ask({ protection: 'none', hubId: 'cube', field: 'auth.token', backend: null })).toBe(
      'session',
    );
  });
});
