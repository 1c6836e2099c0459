import { app, session, shell, type WebContents } from 'electron';
import { APP_ORIGIN } from './app-protocol';

/** True for a URL the user may open in their browser: plain http(s) only. */
export function isExternalLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** True for a URL inside our own UI. */
export function isOwnUrl(url: string, devServerUrl?: string): boolean {
  if (url.startsWith(`${APP_ORIGIN}/`)) return true;
  return devServerUrl !== undefined && url.startsWith(devServerUrl);
}

function hardenContents(contents: WebContents, devServerUrl?: string): void {
  // The UI never navigates; a navigation is either a bug or an attack.
  contents.on('will-navigate', (event, url) => {
    if (!isOwnUrl(url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnUrl(url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // New windows are never created; a link the user clicked opens in their browser.
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * Applies Electron's security checklist to every web contents and to the default session:
 * permissions denied, navigation and new windows denied.
 */
export function applySecurityPolicy(devServerUrl?: string): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, devServerUrl));
}
