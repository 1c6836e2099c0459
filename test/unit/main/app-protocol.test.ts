import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../support/electron-stub.mjs'));

const { resolveAppUrl } = await import('../../../src/main/app-protocol');

describe('resolveAppUrl', () => {
  const root = '/srv/renderer';

  it('serves index.html for the root of the app origin', () => {
    expect(resolveAppUrl('app://hubwatch/', root)).toBe('/srv/renderer/index.html');
  });

  it('maps an asset path below the renderer directory', () => {
    expect(resolveAppUrl('app://hubwatch/assets/index-abc.js', root)).toBe(
      '/srv/renderer/assets/index-abc.js',
    );
  });

  it('never resolves outside the renderer directory, whatever the encoding', () => {
    // The URL parser folds dot segments itself: what is left stays inside the root.
    expect(resolveAppUrl('app://hubwatch/%2e%2e/%2e%2e/etc/passwd', root)).toMatch(/^\/srv\/renderer\//);
    // Encoded slashes survive URL parsing; decoding them must not let the path escape.
    expect(resolveAppUrl('app://hubwatch/assets/..%2f..%2f..%2fetc%2fpasswd', root)).toBeNull();
    expect(resolveAppUrl('app://hubwatch/..%5c..%5cwindows', root)).toBeNull();
  });

  it('refuses other hosts and other schemes', () => {
    expect(resolveAppUrl('app://evil/index.html', root)).toBeNull();
    expect(resolveAppUrl('file:///srv/renderer/index.html', root)).toBeNull();
  });
});
