/**
 * `node --import ./test/support/register-electron-stub.mjs out/main/index.js` runs the
 * built main process with `electron` resolved to the stub.
 */
import { registerHooks } from 'node:module';

const stubUrl = new URL('./electron-stub.mjs', import.meta.url).href;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron' || specifier.startsWith('electron/')) {
      return { url: stubUrl, shortCircuit: true, format: 'module' };
    }
    return nextResolve(specifier, context);
  },
});
