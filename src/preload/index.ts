/**
 * The sandboxed preload: exposes exactly the API contract to the renderer through
 * contextBridge. It never exposes ipcRenderer itself, Electron event objects or process.env.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  PRELOAD_GLOBAL,
  type Backend,
  type CallName,
  type CallRequest,
  type CallResponse,
  type CallResult,
  type PushMessage,
} from '../shared/api';
import { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } from '../shared/ipc-channels';

const api: Backend = {
  async call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>> {
    const result = (await ipcRenderer.invoke(IPC_CALL_CHANNEL, name, request)) as CallResult<CallResponse<K>>;
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  },
  onPush(listener: (batch: PushMessage[]) => void) {
    // Strip the Electron event object: the renderer only ever sees the batch.
    const handler = (_event: IpcRendererEvent, batch: PushMessage[]) => listener(batch);
    ipcRenderer.on(IPC_PUSH_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_PUSH_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, api);
