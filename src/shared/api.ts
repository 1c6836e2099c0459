/**
 * The API the UI uses: request/response calls and pushed events, as typed maps. The
 * Electron preload (over IPC) and `hubwatch serve` (over a WebSocket) both implement it,
 * so the renderer cannot tell which one it talks to.
 */

/** Facts about the running backend. */
export interface AppInfo {
  version: string;
  /** `electron` for the desktop app, `browser` for `hubwatch serve`. */
  mode: 'electron' | 'browser';
}

/** Request/response calls: name → request and response types. */
export interface ApiCalls {
  'app.info': { req: null; res: AppInfo };
}

/** Pushed events: name → payload type. */
export interface ApiPushes {
  notice: { level: 'info' | 'warn' | 'error'; message: string };
}

export type CallName = keyof ApiCalls;
export type PushName = keyof ApiPushes;
export type CallRequest<K extends CallName> = ApiCalls[K]['req'];
export type CallResponse<K extends CallName> = ApiCalls[K]['res'];

/** One pushed event on the wire; pushes travel in batches. */
export type PushMessage = { [K in PushName]: { name: K; payload: ApiPushes[K] } }[PushName];

/** A call that failed: the message is for the operator. */
export interface ApiError {
  message: string;
  /** The request field the error is about, when there is one. */
  field?: string;
}

/** The envelope a call's answer travels in, so errors arrive with their own words. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** What the renderer talks to: one object, two transports (IPC or WebSocket). */
export interface Backend {
  call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>>;
  /** Subscribes to pushed events (delivered in batches); returns the unsubscribe function. */
  onPush(listener: (batch: PushMessage[]) => void): () => void;
}

/** The name of the object the preload exposes on `window`. */
export const PRELOAD_GLOBAL = 'hubwatch';
