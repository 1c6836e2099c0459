/**
 * The Electron stand-in for tests of the desktop shell, as ONE module instance shared by
 * the test, the app's modules and electron-store (which imports `electron` itself, out of
 * `vi.mock`'s reach): importing this file first registers the resolve hook, then loads the
 * stub through the `electron` specifier every other module uses.
 */
import '../../../support/register-electron-stub.mjs';
import type * as StubModule from '../../../support/electron-stub.mjs';

export const electron = (await import('electron')) as unknown as typeof StubModule;
export const { stub, resetStub, emitReady, invokeFrom, emitToRenderer, WebFrameMain } = electron;
