/**
 * Resolves `electron` to the stub for every module loaded after this one, in this thread:
 * - `node --import ./test/support/register-electron-stub.mjs out/main/index.js` runs the
 *   built main process with the stub;
 * - a vitest file that imports this first gets ONE stub instance for its own code, the
 *   app's modules and the dependencies vitest loads natively (electron-store imports
 *   `electron` itself, which `vi.mock` cannot reach).
 * The real package's entry is intercepted too: it would try to download Electron's binary.
 */
import { registerHooks } from 'node:module';

const stubUrl = new URL('./electron-stub.mjs', import.meta.url).href;
const realEntry = /\/node_modules\/electron\/index\.js$/;

if (!globalThis.__hubwatchElectronStubHooked) {
  globalThis.__hubwatchElectronStubHooked = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === 'electron' || specifier.startsWith('electron/')) {
        return { url: stubUrl, shortCircuit: true, format: 'module' };
      }
      const resolved = nextResolve(specifier, context);
      if (realEntry.test(resolved.url)) return { url: stubUrl, shortCircuit: true, format: 'module' };
      return resolved;
    },
  });
}
