/**
 * Frames for dialect tests. The payloads marked "seed" are copied verbatim from the API
 * documents in ../shared/seeds/ (the hub kinds the app must speak).
 */
import type { ResolvedAuth } from '../../../../../src/main/engine/transports/auth';
import type { Frame } from '../../../../../src/main/engine/transports/types';
import type { DialectContext } from '../../../../../src/main/engine/dialects/types';

/** A fixed receive time: 2026-05-08T01:32:11.300Z. */
export const RECEIVED_AT = 1778203931300;

/** An SSE frame (or `via` another transport) with defaults for the fields a test does not care about. */
export function frame(event: string | null, data: string, overrides: Partial<Frame> = {}): Frame {
  return { event, id: null, data, receivedAt: RECEIVED_AT, via: 'sse', ...overrides };
}

/** A dialect context whose fetch fails loudly unless a test passes its own. */
export function context(
  auth: ResolvedAuth = { type: 'none' },
  overrides: Partial<DialectContext> = {},
): DialectContext {
  return {
    auth,
    fetch: () => Promise.reject(new Error('this test makes no side requests')),
    now: () => Date.UTC(2026, 4, 8, 1, 32, 11),
    ...overrides,
  };
}

/** seed 000 (bot hub): the two `event: log` examples and the `event: session` example. */
export const BOT_HUB_SEED = {
  loginLog:
    '{"timestamp_ms":1778201531241,"level":"info","scope":"auth_client","session_id":"bot-1","transport":"http","direction":"outgoing","message":"POST https://11ef5c.playfabapi.com/Client/LoginWithEmailAddress?sdk=UnitySDK-2.178.230929 body={...}"}',
  tcpLog:
    '{"timestamp_ms":1778201531870,"level":"info","scope":"tcp","session_id":"bot-1","transport":"tcp","direction":"outgoing","message":"VChk {ID=\\"VChk\\" OS=\\"Android\\" OSt=2}"}',
  /** As printed in the seed, with its `...` elision — not valid JSON. */
  sessionAsPrinted: '{"snapshot":{"id":"bot-1","status":"in_world",...}}',
  /** The same snapshot without the elision. */
  session: '{"snapshot":{"id":"bot-1","status":"in_world"}}',
};

/** seed 001 (Protocube): the status example (SSE line) and the crash example (WebSocket, as printed). */
export const PROTOCUBE_SEED = {
  statusSse: '{"Topic":"status","Data":{"server_id":"srv_01HZ...","payload":"running"}}',
  statusWebSocket: `{
  "Topic": "status",
  "Data": {
    "server_id": "srv_01HZ...",
    "payload": "running"
  }
}`,
  crashWebSocket: `{
  "Topic": "crash",
  "Data": {
    "server_id": "srv_01HZ...",
    "payload": {
      "reason": "signal: killed",
      "exit_code": 137,
      "timestamp": "2026-04-03T12:00:00Z"
    }
  }
}`,
};

/** seed 002 (EvoClaw): the two `data:` examples. */
export const EVOCLAW_SEED = {
  request: '{"time":"10:30:05","level":"info","component":"api","message":"HTTP request completed"}',
  heartbeat: '{"time":"10:30:10","level":"info","component":"system","message":"heartbeat: 3 agents online"}',
};

/** seed 004 (Backend.AI): the session lifecycle example. */
export const BACKENDAI_SEED = {
  sessionEvent:
    '{ "sessionId": "mysession-01", "ownerAccessKey": "MYACCESSKEY", "reason": "self-terminated", "result": "SUCCESS" }',
};
