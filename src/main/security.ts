import { app, session, shell, type HandlerDetails, type WebContents } from 'electron';
import { isOwnOrigin } from './ipc';

/** True for a URL the user may open in their browser: plain http(s) only. */
export function isExternalLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** True for a URL inside our own UI (`app://hubwatch`, or the dev server's origin). */
export function isOwnUrl(url: string, devServerUrl?: string): boolean {
  return isOwnOrigin(url, devServerUrl);
}

/**
 * True when a window-open request is a link the user clicked (`<a target="_blank">`,
 * middle- or ctrl-click): those arrive as a foreground or background tab. Script popups
 * with window features (`new-window`) and form posts are not links.
 */
export function isClickedLink(details: Pick<HandlerDetails, 'url' | 'disposition' | 'postBody'>): boolean {
  const asTab = details.disposition === 'foreground-tab' || details.disposition === 'background-tab';
  return asTab && details.postBody === undefined && isExternalLink(details.url);
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
  contents.setWindowOpenHandler((details) => {
    if (isClickedLink(details)) void shell.openExternal(details.url);
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
