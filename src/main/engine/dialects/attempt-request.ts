/**
 * Building the request of one connection attempt, shared by every dialect's plan: the
 * hub's own headers plus its credentials, signed afresh for each attempt.
 */
import { effectiveTransport, type HubConfig } from '../../../shared/hub-config';
import { authorize, credentialHeaderNames } from '../transports/auth';
import { StopError, type RequestSpec, type StreamPlan } from '../transports/types';
import type { DialectContext } from './types';

const USABLE_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:']);

/**
 * The request for `method url` with the hub's headers and credentials. Backend.AI gets a
 * fresh Date and signature from `context.now()` every call. A URL that cannot be used stops
 * the hub as `bad_config` rather than retrying it forever.
 */
export function buildRequest(
  hub: HubConfig,
  context: DialectContext,
  method: string,
  url: string,
  extraHeaders?: Record<string, string>,
): RequestSpec {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StopError({
      state: 'failed',
      reason: 'bad_config',
      detail: `hub "${hub.id}": url is not a valid URL`,
    });
  }
  if (!USABLE_PROTOCOLS.has(parsed.protocol)) {
    throw new StopError({
      state: 'failed',
      reason: 'bad_config',
      detail: `hub "${hub.id}": url must use http, https, ws or wss, not ${parsed.protocol}`,
    });
  }
  const headers = extraHeaders ? { ...hub.headers, ...extraHeaders } : { ...hub.headers };
  const auth = context.auth;
  const authorized = authorize(auth, { method, url, headers, now: context.now() });
  return {
    url: authorized.url,
    headers: authorized.headers,
    credentialHeaders: credentialHeaderNames(auth),
    credentialParams: auth.type === 'query' ? [auth.param] : [],
  };
}

/** The silence watchdog in ms: the hub's `silenceTimeoutSec` when set, else the dialect's default. */
export function silenceTimeoutMs(hub: HubConfig, defaultMs: number): number {
  const configured = hub.silenceTimeoutSec;
  return typeof configured === 'number' && Number.isFinite(configured) && configured >= 0
    ? Math.round(configured * 1000)
    : defaultMs;
}

/**
 * The URL to open a WebSocket on: `http:`/`https:` become `ws:`/`wss:`, so a hub configured
 * with `transport: "websocket"` and its http URL works as the operator meant.
 */
export function websocketUrl(url: string): string {
  return url.replace(/^http(s?):/i, 'ws$1:');
}

/**
 * The plan of a hub that is one plain GET stream (bot-hub, protocube, generic): the
 * configured URL with headers and credentials, over the hub's effective transport.
 */
export function singleStreamPlan(
  hub: HubConfig,
  context: DialectContext,
  defaultSilenceMs: number,
): StreamPlan {
  const transport = effectiveTransport(hub);
  const url = transport === 'websocket' ? websocketUrl(hub.url) : hub.url;
  return {
    transport,
    silenceTimeoutMs: silenceTimeoutMs(hub, defaultSilenceMs),
    prepare: () => Promise.resolve().then(() => buildRequest(hub, context, 'GET', url)),
  };
}
