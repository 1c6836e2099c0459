/**
 * Secrets typed into the UI (tokens, API keys, Backend.AI secret keys), encrypted with
 * Electron's `safeStorage` and kept in their own file (`secrets.json` in `userData`),
 * keyed by reference; the settings hold only `{ "secret": REF }`. Values are decrypted in
 * the main process only, for the engine's connections, and never sent to the renderer.
 *
 * The asynchronous safeStorage API is used (Electron 45 deprecates the synchronous one and
 * 46 removes it); since the engine resolves secrets synchronously when it connects, the
 * stored values are decrypted once when the vault opens, after `ready`.
 *
 * Where the OS offers no real protection — on Linux without a keyring, safeStorage falls
 * back to `basic_text`, a key built into Chromium — or no encryption at all, the operator
 * is told plainly and asked before anything is kept: for this session only, on disk with
 * the weak protection, or not at all. Nothing is ever stored in plain text silently.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { app, dialog, safeStorage, type BrowserWindow } from 'electron';
import Store, { type Schema } from 'electron-store';
import { ApiCallError, type AppInfo, type SecretField } from '../shared/api';
import { SECRET_FIELDS } from '../shared/hub-config';
import type { SecretVault } from './engine';
import { moveAside, readJsonObject } from './json-file';

/** How well secrets can be protected here. */
export type Protection =
  /** The OS store (Keychain, DPAPI, libsecret, KWallet). */
  | 'os'
  /** Linux `basic_text`: encrypted with a key built into Chromium — obfuscation, not protection. */
  | 'weak'
  /** No encryption at all. */
  | 'none';

/** What the operator allows when protection is not `os`. */
export type StorageChoice = 'session' | 'weak-disk' | 'cancel';

export interface StorageQuestion {
  protection: Exclude<Protection, 'os'>;
  hubId: string;
  field: SecretField;
  /** Linux: the backend safeStorage selected. */
  backend: string | null;
}

export interface SecretVaultOptions {
  /** The directory of `secrets.json` (`app.getPath('userData')`). */
  dir: string;
  platform: NodeJS.Platform;
  /** Asks the operator (a dialog in the app). */
  ask(question: StorageQuestion): Promise<StorageChoice>;
  /** Tells the operator something about their secrets. */
  notice(level: 'info' | 'warn' | 'error', message: string): void;
  now?: () => number;
}

interface StoredSecret {
  hub: string;
  field: SecretField;
  protection: 'os' | 'weak';
  /** base64 of the encrypted bytes. */
  data: string;
  savedAt: number;
}

interface SecretsFile {
  version: number;
  entries: Record<string, StoredSecret>;
}

const SECRETS_VERSION = 1;

const SECRETS_SCHEMA: Schema<SecretsFile> = {
  version: { type: 'integer', const: SECRETS_VERSION },
  entries: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['hub', 'field', 'protection', 'data', 'savedAt'],
      properties: {
        hub: { type: 'string' },
        field: { type: 'string', enum: [...SECRET_FIELDS] },
        protection: { type: 'string', enum: ['os', 'weak'] },
        data: { type: 'string' },
        savedAt: { type: 'number' },
      },
    },
  },
};

/** Where the secrets are kept, in the operator's words. */
function describeStore(platform: NodeJS.Platform, backend: string | null): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'Windows (DPAPI, tied to your Windows account)';
  if (backend?.startsWith('kwallet')) return 'KWallet';
  if (backend === 'gnome_libsecret') return 'the Secret Service (GNOME Keyring / libsecret)';
  return 'the system keyring';
}

/**
 * How well this machine protects secrets. Must run after `ready` (before it, Linux reports
 * `unknown` and nothing is available).
 */
export async function detectProtection(
  platform: NodeJS.Platform,
): Promise<{ protection: Protection; backend: string | null }> {
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return { protection: 'none', backend };
  // `unknown` after ready means no backend was chosen: treat it like the fallback.
  if (backend === 'basic_text' || backend === 'unknown') return { protection: 'weak', backend };
  return { protection: 'os', backend };
}

export class SafeStorageVault implements SecretVault {
  /** Decrypted values by reference — main process memory only. */
  private readonly values = new Map<string, string>();
  /** References kept in memory only: the operator chose "this session", or demo credentials. */
  private readonly memoryOnly = new Set<string>();
  private entries: Record<string, StoredSecret>;
  private choice: Exclude<StorageChoice, 'cancel'> | null = null;
  private asking: Promise<unknown> | null = null;

  private constructor(
    private readonly file: Store<SecretsFile>,
    private readonly protection: Protection,
    private readonly backend: string | null,
    private readonly options: SecretVaultOptions,
  ) {
    this.entries = { ...file.get('entries') };
  }

  /** The file the encrypted secrets are in. */
  get path(): string {
    return this.file.path;
  }

  /**
   * Opens `secrets.json` and decrypts what it holds. Call after `ready`: safeStorage is
   * not usable before. A file that cannot be read is moved aside (and the operator told).
   */
  static async open(options: SecretVaultOptions): Promise<SafeStorageVault> {
    if (!app.isReady())
      throw new Error('the secret vault can only open after the app is ready (safeStorage needs it)');
    const now = options.now ?? Date.now;
    mkdirSync(options.dir, { recursive: true });
    const file = join(options.dir, 'secrets.json');
    const content = readJsonObject(file);
    const setAside = (reason: string) => {
      const movedTo = moveAside(file, 'corrupt', now());
      options.notice(
        'error',
        `Hubwatch could not read its stored secrets because ${reason}. The file was moved aside to ${movedTo}; enter the secrets of your hubs again.`,
      );
    };
    if (content.kind === 'unreadable') setAside(content.reason);
    const open = () =>
      new Store<SecretsFile>({
        cwd: options.dir,
        name: 'secrets',
        schema: SECRETS_SCHEMA,
        defaults: { version: SECRETS_VERSION, entries: {} },
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        configFileMode: 0o600,
      });
    let store: Store<SecretsFile>;
    try {
      store = open();
    } catch (error) {
      const message = (error as Error).message;
      if (!message.startsWith('Config schema violation: ')) throw error;
      setAside(message.replace(/^Config schema violation: /, 'it fails its schema: '));
      store = open();
    }
    const { protection, backend } = await detectProtection(options.platform);
    const vault = new SafeStorageVault(store, protection, backend, options);
    await vault.decryptAll();
    return vault;
  }

  private async decryptAll(): Promise<void> {
    let failed = 0;
    let reEncrypt = false;
    for (const [ref, entry] of Object.entries(this.entries)) {
      try {
        const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(
          Buffer.from(entry.data, 'base64'),
        );
        this.values.set(ref, result);
        if (shouldReEncrypt && this.protection !== 'none') {
          // The key was rotated or a better one is available: store it under the new key.
          entry.data = (await safeStorage.encryptStringAsync(result)).toString('base64');
          if (this.protection === 'os') entry.protection = 'os';
          reEncrypt = true;
        }
      } catch {
        // Kept in the file: the keyring may only be locked or missing this time.
        failed++;
      }
    }
    if (reEncrypt) this.writeEntries();
    if (failed > 0) {
      this.options.notice(
        'warn',
        `${failed} stored secret${failed === 1 ? '' : 's'} could not be decrypted (the system keyring may be locked, missing or changed). The hubs that use ${failed === 1 ? 'it' : 'them'} need the secret entered again.`,
      );
    }
  }

  status(): AppInfo['secretStorage'] {
    if (this.protection === 'os') {
      return {
        kind: 'encrypted',
        detail: `Secrets you enter are encrypted with ${describeStore(this.options.platform, this.backend)} and kept in ${this.path}; the settings hold only references to them.`,
      };
    }
    const kept =
      this.choice === 'session'
        ? ' This session, secrets you enter are kept in memory only, until Hubwatch quits.'
        : this.choice === 'weak-disk'
          ? ' This session, you chose to store secrets on disk with that weak protection.'
          : ' Hubwatch asks before keeping a secret.';
    if (this.protection === 'weak') {
      return {
        kind: 'unavailable',
        detail: `No system keyring (GNOME Keyring / libsecret or KWallet) is available, so secrets could only be stored with weak protection: a key built into Electron, the same everywhere.${kept}`,
      };
    }
    return {
      kind: 'unavailable',
      detail: `The operating system's secure storage is not available, so secrets cannot be stored encrypted.${kept}`,
    };
  }

  async store(hubId: string, field: SecretField, value: string): Promise<string> {
    const ref = this.newRef(hubId, field);
    if (this.protection === 'os') {
      await this.persist(ref, hubId, field, value, 'os');
      return ref;
    }
    const choice = await this.askOnce({ protection: this.protection, hubId, field, backend: this.backend });
    if (choice === 'cancel') {
      throw new ApiCallError(
        `The secret was not saved: ${this.protection === 'weak' ? 'no system keyring is available to protect it' : 'secure storage is not available'}, and keeping it was declined. Install and unlock a keyring (GNOME Keyring or KWallet) and try again, or use {"env": "NAME"} for this secret.`,
        field,
      );
    }
    if (choice === 'weak-disk' && this.protection === 'weak') {
      await this.persist(ref, hubId, field, value, 'weak');
    } else {
      this.values.set(ref, value);
      this.memoryOnly.add(ref);
    }
    return ref;
  }

  /**
   * Keeps a secret found in a hub config without asking (settings must not hold it):
   * encrypted on disk when the OS store protects it, else in memory for this session.
   * Returns the reference at once; the encrypted copy is written shortly after.
   */
  keepInline(hubId: string, field: SecretField, value: string): string {
    const ref = this.newRef(hubId, field);
    this.values.set(ref, value);
    if (this.protection === 'os') {
      void this.persist(ref, hubId, field, value, 'os').catch((error: unknown) => {
        this.memoryOnly.add(ref);
        this.options.notice(
          'error',
          `A secret of hub "${hubId}" could not be encrypted (${(error as Error).message}); it is kept until Hubwatch quits.`,
        );
      });
    } else {
      this.memoryOnly.add(ref);
      this.options.notice(
        'warn',
        `A secret of hub "${hubId}" (${field}) is kept only until Hubwatch quits: this machine has no secure storage for it. Enter it again in the hub's settings to store it.`,
      );
    }
    return ref;
  }

  /** Holds a value under a fixed reference in memory only (the demo hub's published credentials). */
  keepInMemory(ref: string, value: string): void {
    this.values.set(ref, value);
    this.memoryOnly.add(ref);
  }

  remove(ref: string): void {
    this.values.delete(ref);
    this.memoryOnly.delete(ref);
    if (ref in this.entries) {
      const { [ref]: _removed, ...rest } = this.entries;
      this.entries = rest;
      this.writeEntries();
    }
  }

  get(ref: string): string | undefined {
    return this.values.get(ref);
  }

  private newRef(hubId: string, field: SecretField): string {
    return `${hubId}/${field}/${randomBytes(6).toString('hex')}`;
  }

  private askOnce(question: StorageQuestion): Promise<StorageChoice> {
    // One question at a time: two saves in a row must not open two dialogs, and the
    // second one takes the answer the first one got.
    const ask = async (): Promise<StorageChoice> => {
      if (this.choice) return this.choice;
      const answer = await this.options.ask(question);
      if (answer !== 'cancel') this.choice = answer;
      return answer;
    };
    const asking = (this.asking ?? Promise.resolve()).then(ask, ask);
    this.asking = asking.catch(() => undefined);
    return asking;
  }

  private async persist(
    ref: string,
    hub: string,
    field: SecretField,
    value: string,
    protection: 'os' | 'weak',
  ): Promise<void> {
    const encrypted = await safeStorage.encryptStringAsync(value);
    this.entries = {
      ...this.entries,
      [ref]: {
        hub,
        field,
        protection,
        data: encrypted.toString('base64'),
        savedAt: (this.options.now ?? Date.now)(),
      },
    };
    this.values.set(ref, value);
    this.writeEntries();
  }

  private writeEntries(): void {
    try {
      this.file.set('entries', this.entries);
    } catch (error) {
      this.options.notice(
        'error',
        `Hubwatch could not write ${this.path} (${(error as Error).message}); secrets entered now last until it quits.`,
      );
    }
  }
}

/**
 * The question, as a dialog: what is wrong in plain words, and the choices. `parent` makes
 * it modal to the window when there is one.
 */
export function askWithDialog(parent: () => BrowserWindow | null): SecretVaultOptions['ask'] {
  return async (question) => {
    const weak = question.protection === 'weak';
    const buttons = weak
      ? ['Keep for this session only', 'Store with weak protection', 'Cancel']
      : ['Keep for this session only', 'Cancel'];
    const options: Electron.MessageBoxOptions = {
      type: 'warning',
      title: 'No secure storage for secrets',
      message: 'Hubwatch cannot protect this secret on this computer',
      detail: weak
        ? `No system keyring (GNOME Keyring / libsecret or KWallet) is available, so the secret for hub "${question.hubId}" (${question.field}) could only be stored with a key built into Electron — the same on every computer. Anyone who can read your files could read it.\n\nKeep it in memory for this session only (you enter it again after Hubwatch restarts), store it on disk anyway, or cancel. Hubwatch will not ask again until it restarts.`
        : `This computer offers no encryption for stored secrets, so the secret for hub "${question.hubId}" (${question.field}) cannot be stored safely.\n\nKeep it in memory for this session only (you enter it again after Hubwatch restarts), or cancel. Hubwatch will not ask again until it restarts.`,
      buttons,
      defaultId: 0,
      cancelId: buttons.length - 1,
      noLink: true,
    };
    const window = parent();
    const { response } =
      window && !window.isDestroyed()
        ? await dialog.showMessageBox(window, options)
        : await dialog.showMessageBox(options);
    if (response === 0) return 'session';
    if (weak && response === 1) return 'weak-disk';
    return 'cancel';
  };
}
