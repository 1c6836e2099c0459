import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';

/** The renderer is served from `app://hubwatch/…`, never from `file://`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'hubwatch';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Registers `app:` as a standard, secure scheme. Must run before the app is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * Maps an `app://hubwatch/…` URL to a file under `root`, or `null` when the URL is for
 * another host or would escape `root` (`..`, encoded separators).
 */
export function resolveAppUrl(url: string, root: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const rootNormalized = normalize(root);
  const file = normalize(join(rootNormalized, relative));
  if (!file.startsWith(rootNormalized.endsWith(sep) ? rootNormalized : rootNormalized + sep)) return null;
  if (extname(file) === '') return join(rootNormalized, 'index.html');
  return file;
}

/**
 * Serves the built renderer from `root` on the `app:` scheme. Must run after `ready`.
 */
export function serveRenderer(root: string): void {
  protocol.handle(APP_SCHEME, (request) => {
    const file = resolveAppUrl(request.url, root);
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
}
