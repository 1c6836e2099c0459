/**
 * The desktop app's IPC: the only module that touches `ipcMain`. One `invoke` channel
 * carries every call of the API contract and one push channel carries batches of pushed
 * events; there is nothing else.
 *
 * A call is answered only when it comes from the main frame of our own window showing our
 * own UI (`app://hubwatch`, or the dev server in development): Electron's security
 * checklist asks to validate `event.senderFrame` of every message, since any frame that
 * gets hold of IPC (a compromised subframe, a page the window was tricked into loading)
 * could otherwise drive the app. Payloads are then validated against the API schema by
 * the window's `ApiSession` before anything reaches the workspace.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { CallResult, PushMessage } from '../shared/api';
import { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } from '../shared/ipc-channels';
import { APP_HOST, APP_SCHEME } from './app-protocol';

/** What answers the calls of one window (the engine's `ApiSession`). */
export interface CallTarget {
  call(name: unknown, request: unknown): Promise<CallResult<unknown>>;
}

export interface IpcOptions {
  /** The dev server's URL (electron-vite dev); its origin counts as ours then. */
  devServerUrl?: string;
  /** The session of one of our windows, by its webContents id; undefined for anything else. */
  targetFor(contentsId: number): { contents: WebContents; target: CallTarget } | undefined;
}

/** True for a URL of our UI: `app://hubwatch/…`, or the dev server's origin in development. */
export function isOwnOrigin(url: string, devServerUrl?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  if (devServerUrl === undefined) return false;
  try {
    // Whole origins, not prefixes: `http://localhost:5173` must not admit `…:51730`.
    return parsed.origin === new URL(devServerUrl).origin;
  } catch {
    return false;
  }
}

/** Why a call is refused, or null when it comes from our window's UI. */
export function senderProblem(event: IpcMainInvokeEvent, options: IpcOptions): string | null {
  const frame = event.senderFrame;
  // Null once the frame navigated away or was destroyed: its document is not ours any more.
  if (frame === null) return 'the sending frame is gone';
  if (frame.isDestroyed() || frame.detached) return 'the sending frame is gone';
  if (frame.parent !== null) return 'it comes from a subframe';
  const own = options.targetFor(event.sender.id);
  if (!own || own.contents.isDestroyed()) return 'it does not come from a Hubwatch window';
  const main = own.contents.mainFrame;
  // Distinct WebFrameMain objects of one frame share processId and routingId.
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) {
    return 'it does not come from the main frame of the Hubwatch window';
  }
  if (!isOwnOrigin(frame.url, options.devServerUrl)) return 'the sending page is not the Hubwatch UI';
  return null;
}

/**
 * Registers the one call handler. Also removes every `ipcMain.on` listener: electron-store
 * registers one (`electron-store-get-data`, for stores created in a renderer, which we never
 * do), and the main process answers exactly one channel. Returns the unregister function.
 */
export function registerIpc(options: IpcOptions): () => void {
  for (const channel of ipcMain.eventNames()) {
    if (typeof channel === 'string') ipcMain.removeAllListeners(channel);
  }
  ipcMain.handle(IPC_CALL_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, request: unknown) => {
    const problem = senderProblem(event, options);
    if (problem) {
      // Logged without the payload: it may hold a secret being saved.
      console.warn(
        `hubwatch: refused an IPC call (${typeof name === 'string' ? name.slice(0, 40) : typeof name}): ${problem}`,
      );
      return { ok: false, error: { message: `refused: ${problem}` } } satisfies CallResult<never>;
    }
    const own = options.targetFor(event.sender.id);
    if (!own)
      return { ok: false, error: { message: 'refused: the window is closing' } } satisfies CallResult<never>;
    return own.target.call(name, request);
  });
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

/**
 * The push function of one window: batches go to its main frame on the push channel, and
 * only while it shows our UI — never to a page it was navigated to, and never after it is
 * destroyed.
 */
export function pushTo(contents: WebContents, devServerUrl?: string): (batch: PushMessage[]) => void {
  return (batch) => {
    if (contents.isDestroyed() || batch.length === 0) return;
    if (!isOwnOrigin(contents.getURL(), devServerUrl)) return;
    contents.send(IPC_PUSH_CHANNEL, batch);
  };
}
