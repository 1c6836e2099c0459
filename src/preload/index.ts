/**
 * The sandboxed preload: exposes exactly the API contract's transport to the renderer
 * through contextBridge — one `invoke` for calls, one `onPush` for pushed batches. It never
 * exposes ipcRenderer itself, Electron event objects or process.env.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  PRELOAD_GLOBAL,
  type CallName,
  type CallResult,
  type PreloadBridge,
  type PushMessage,
} from '../shared/api';
import { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } from '../shared/ipc-channels';

const bridge: PreloadBridge = {
  invoke(name: CallName, request: unknown): Promise<CallResult<unknown>> {
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, name, request) as Promise<CallResult<unknown>>;
  },
  onPush(listener: (batch: PushMessage[]) => void): () => void {
    // Strip the Electron event object: the renderer only ever sees the batch.
    const handler = (_event: IpcRendererEvent, batch: PushMessage[]) => listener(batch);
    ipcRenderer.on(IPC_PUSH_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_PUSH_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, bridge);
