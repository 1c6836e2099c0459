import { beforeEach, describe, expect, it } from 'vitest';
import { resetStub, stub } from './support/electron';

const { createMainWindow, hardenedWebPreferences, visibleBounds } = await import('../../../src/main/window');

describe('the main window', () => {
  beforeEach(() => resetStub());

  it('is isolated and sandboxed, without Node, loading app://hubwatch', () => {
    createMainWindow({ preloadPath: '/out/preload/index.cjs' });
    const window = stub.windows[0]!;
    expect(window.options.webPreferences).toEqual(hardenedWebPreferences('/out/preload/index.cjs'));
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    });
    expect(window.url).toBe('app://hubwatch/index.html');
    expect(window.options['show']).toBe(false);
  });

  it('reopens where it was when that place is still on a screen', () => {
    const area = { x: 0, y: 0, width: 1920, height: 1050 };
    expect(visibleBounds({ x: 100, y: 100, width: 800, height: 600 }, [area])).toEqual({
      x: 100,
      y: 100,
      width: 800,
      height: 600,
    });
    expect(visibleBounds({ x: 1880, y: 100, width: 800, height: 600 }, [area])).toBeUndefined();
    expect(
      visibleBounds({ x: 2000, y: 100, width: 800, height: 600 }, [
        area,
        { x: 1920, y: 0, width: 1280, height: 1024 },
      ]),
    ).toBeDefined();
    expect(visibleBounds(null, [area])).toBeUndefined();
  });
});
