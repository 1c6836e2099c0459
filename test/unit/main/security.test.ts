import { beforeEach, describe, expect, it } from 'vitest';
import { electron, resetStub, stub } from './support/electron';

const { applySecurityPolicy, isClickedLink, isExternalLink } = await import('../../../src/main/security');

describe('the security policy', () => {
  beforeEach(() => {
    resetStub();
    applySecurityPolicy();
  });

  it('denies every permission request and check', async () => {
    const granted = await new Promise((resolve) => stub.permissionRequestHandler?.({}, 'media', resolve));
    expect(granted).toBe(false);
    expect(stub.permissionCheckHandler?.({}, 'notifications')).toBe(false);
  });

  it('opens an http(s) link the user clicked in the browser, and never a new window', () => {
    const window = new electron.BrowserWindow({});
    const handler = window.webContents.windowOpenHandler!;
    expect(handler({ url: 'https://docs.example/hub', disposition: 'foreground-tab' })).toEqual({
      action: 'deny',
    });
    expect(handler({ url: 'http://intranet/x', disposition: 'background-tab' })).toEqual({ action: 'deny' });
    expect(stub.openedExternal).toEqual(['https://docs.example/hub', 'http://intranet/x']);
  });

  it('opens nothing for other schemes, script popups or form posts', () => {
    const window = new electron.BrowserWindow({});
    const handler = window.webContents.windowOpenHandler!;
    handler({ url: 'file:///etc/passwd', disposition: 'foreground-tab' });
    handler({ url: 'smb://share/x', disposition: 'foreground-tab' });
    handler({ url: 'https://ads.example/', disposition: 'new-window' });
    handler({ url: 'https://form.example/', disposition: 'foreground-tab', postBody: { data: [] } });
    expect(stub.openedExternal).toEqual([]);
  });

  it('prevents navigation away from the UI', () => {
    const window = new electron.BrowserWindow({});
    const navigate = (url: string) => {
      const event = {
        defaultPrevented: false,
        preventDefault() {
          this.defaultPrevented = true;
        },
      };
      window.webContents.emit('will-navigate', event, url);
      return event.defaultPrevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('app://hubwatch/index.html')).toBe(false);
  });

  it('knows external links and clicked links', () => {
    expect(isExternalLink('https://x/')).toBe(true);
    expect(isExternalLink('javascript:alert(1)')).toBe(false);
    expect(isClickedLink({ url: 'https://x/', disposition: 'default', postBody: undefined })).toBe(false);
  });
});
