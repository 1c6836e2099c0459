import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetStub, stub } from './support/electron';

const { APP_USER_MODEL_ID, claimAppUserModelId } = await import('../../../src/main/app-identity');

describe('the app user model id', () => {
  beforeEach(() => resetStub());

  it("is electron-builder's appId, which the Windows installer gives the app's shortcut", () => {
    const builderConfig = readFileSync(resolve(import.meta.dirname, '../../../electron.builder.yml'), 'utf8');
    expect(/^appId:\s*(\S+)\s*$/m.exec(builderConfig)?.[1]).toBe(APP_USER_MODEL_ID);
  });

  it('is claimed on Windows, so notifications and the taskbar name Hubwatch', () => {
    claimAppUserModelId('win32');
    expect(stub.appUserModelId).toBe('dev.hubwatch.app');
  });

  it('is left alone elsewhere, where Electron has no such thing', () => {
    claimAppUserModelId('linux');
    claimAppUserModelId('darwin');
    expect(stub.appUserModelId).toBeNull();
  });
});
