/**
 * The one place that decides how the UI reaches the engine: Electron's preload bridge when
 * it is there, else `hubwatch serve`'s WebSocket on the page's own origin. Everything else
 * in the renderer sees only a `Backend` plus the connection status.
 */
import { PRELOAD_GLOBAL, type Backend, type PreloadBridge } from '../../../shared/api';
import { createPreloadBackend } from './preload-backend';
import { WebSocketBackend, apiSocketUrl, type ConnectionStatus } from './websocket-backend';

export interface BackendHandle {
  backend: Backend;
  transport: 'electron' | 'browser';
  /** Connection status changes (always `open` in Electron); called at once with the current one. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

const ALWAYS_OPEN: ConnectionStatus = {
  state: 'open',
  attempt: 0,
  retryAt: null,
  detail: null,
  reconnects: 0,
};

function isPreloadBridge(value: unknown): value is PreloadBridge {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PreloadBridge).invoke === 'function' &&
    typeof (value as PreloadBridge).onPush === 'function'
  );
}

/** Creates the backend for this window. */
export function createBackend(scope: Window = window): BackendHandle {
  const bridge = (scope as unknown as Record<string, unknown>)[PRELOAD_GLOBAL];
  if (isPreloadBridge(bridge)) {
    return {
      backend: createPreloadBackend(bridge),
      transport: 'electron',
      onStatus(listener) {
        listener(ALWAYS_OPEN);
        return () => undefined;
      },
    };
  }
  const client = new WebSocketBackend({ url: apiSocketUrl(scope.location.href) });
  return { backend: client, transport: 'browser', onStatus: (listener) => client.onStatus(listener) };
}

export type { ConnectionStatus };
