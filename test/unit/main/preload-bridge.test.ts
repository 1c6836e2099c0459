import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emitToRenderer, resetStub, stub } from './support/electron';
import type { PreloadBridge, PushMessage } from '../../../src/shared/api';

const { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } = await import('../../../src/shared/ipc-channels');
const { PRELOAD_GLOBAL } = await import('../../../src/shared/api');

/** Loads the preload afresh (it exposes the bridge as it loads, like in a new renderer). */
async function loadPreload(): Promise<PreloadBridge> {
  vi.resetModules();
  await import('../../../src/preload/index');
  return stub.exposed.get(PRELOAD_GLOBAL) as PreloadBridge;
}

describe('the preload bridge', () => {
  beforeEach(() => resetStub());

  it('exposes exactly invoke and onPush on window.hubwatch, and no Electron object', async () => {
    const bridge = await loadPreload();
    expect([...stub.exposed.keys()]).toEqual([PRELOAD_GLOBAL]);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'onPush']);
    expect(Object.values(bridge).every((value) => typeof value === 'function')).toBe(true);
  });

  it('sends every call on the one call channel and hands back the CallResult as it came', async () => {
    const bridge = await loadPreload();
    stub.rendererAnswer = { ok: false, error: { message: 'refused' } };
    const result = await bridge.invoke('hubs.setPaused', { paused: true });
    expect(stub.rendererInvokes).toEqual([
      { channel: IPC_CALL_CHANNEL, args: ['hubs.setPaused', { paused: true }] },
    ]);
    expect(result).toEqual({ ok: false, error: { message: 'refused' } });
  });

  it('delivers pushed batches without the Electron event, until unsubscribed', async () => {
    const bridge = await loadPreload();
    const received: unknown[][] = [];
    const stop = bridge.onPush((...args: unknown[]) => received.push(args));
    const batch: PushMessage[] = [{ name: 'focus', payload: { hub: 'cube', seq: 7 } }];
    emitToRenderer(IPC_PUSH_CHANNEL, batch);
    expect(received).toEqual([[batch]]);
    stop();
    expect(emitToRenderer(IPC_PUSH_CHANNEL, batch)).toBe(0);
    expect(received).toHaveLength(1);
  });
});
