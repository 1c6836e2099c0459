/**
 * The wire protocol of `hubwatch serve`: the API contract over one WebSocket. The browser
 * sends calls; the server answers each by id and sends pushed batches as they come.
 */
import type { CallName, CallResult, PushMessage } from './api';

/** Path of the API WebSocket. */
export const SERVE_API_PATH = '/api';
/** Cookie that carries the access token after the first visit with `?token=`. */
export const SERVE_TOKEN_COOKIE = 'hubwatch_token';
/** Query parameter of the access token in the printed URL. */
export const SERVE_TOKEN_PARAM = 'token';

export type ClientMessage = { type: 'call'; id: number; name: CallName; request: unknown };

export type ServerMessage =
  { type: 'result'; id: number; result: CallResult<unknown> } | { type: 'push'; batch: PushMessage[] };
