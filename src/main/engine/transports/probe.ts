/**
 * "Test connection": one request to a hub, never reconnecting, reported with what was sent
 * (credentials masked), what came back, the first few frames, and a plain-language hint.
 */
import type { ProbeReport } from '../../../shared/api';
import { abortReason } from './abort-signal';
import { errorMessage, isTlsErrorCode } from './network-errors';
import { formatSeconds } from './quantity-text';
import type { AttemptOutcome, AttemptSink, ResponseInfo, StreamEnd } from './attempt';
import { redactHeaders, redactUrl } from './redact';
import { runSseAttempt, sseRequestHeaders } from './sse-stream';
import { runWebSocketAttempt } from './websocket-stream';
import { StopError } from './types';
import type { Frame, RequestSpec, StreamPlan } from './types';

/** Time allowed for the response or the WebSocket handshake. */
export const DEFAULT_PROBE_CONNECT_TIMEOUT_MS = 10_000;
/** After connecting, how long the probe waits for frames. */
export const DEFAULT_PROBE_LISTEN_MS = 5_000;
/** How many frames the probe shows. */
export const DEFAULT_PROBE_FRAMES = 5;
/** Frame text longer than this is cut for display. */
const MAX_FRAME_TEXT = 4_096;

/** Options of `probeHub`. */
export interface ProbeOptions {
  fetch?: typeof fetch;
  /** Epoch ms (frame times); durations use the monotonic clock. */
  now?: () => number;
  connectTimeoutMs?: number;
  listenMs?: number;
  maxFrames?: number;
}

/** What "Test connection" shows: the UI contract's report (shared/api.ts). */
export type ProbeResult = ProbeReport;

function frameText(frame: Frame): string {
  let text: string;
  if (frame.via !== 'sse') {
    text = frame.data;
  } else {
    const lines: string[] = [];
    if (frame.event !== null) lines.push(`event: ${frame.event}`);
    if (frame.id !== null) lines.push(`id: ${frame.id}`);
    for (const line of frame.data.split('\n')) lines.push(`data: ${line}`);
    text = lines.join('\n');
  }
  return text.length > MAX_FRAME_TEXT ? `${text.slice(0, MAX_FRAME_TEXT)}…` : text;
}

function shownRequest(plan: StreamPlan, request: RequestSpec): ProbeResult['request'] {
  const headers: Record<string, string> = {};
  if (plan.transport === 'websocket') {
    Object.assign(headers, request.headers, { Connection: 'Upgrade', Upgrade: 'websocket' });
  } else {
    try {
      sseRequestHeaders(request, null).forEach((value, name) => {
        headers[name] = value;
      });
    } catch {
      Object.assign(headers, request.headers);
    }
  }
  return {
    method: 'GET',
    url: redactUrl(request.url, request.credentialParams),
    headers: redactHeaders(headers, request.credentialHeaders),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The plain-language hint for an attempt that never opened. */
function failureHint(outcome: AttemptOutcome, url: string, connectTimeoutMs: number): string {
  if (outcome.kind === 'final') {
    const { state, reason, detail } = outcome.outcome;
    if (state === 'ended') {
      return reason === 'no_content'
        ? 'The hub answered 204 No Content: it has nothing to stream, and a connection would stop here.'
        : `The hub answered, and says this stream is over: ${detail}.`;
    }
    switch (reason) {
      case 'credentials_rejected':
        return `The hub rejected the credentials (${detail.replace(/: credentials rejected$/, '')}). Check the token or key, and that it is allowed to read this stream.`;
      case 'wrong_content_type':
        return `The server did not answer with an event stream (${detail}). Is this the stream endpoint? A login page, a proxy error page or the web UI looks like this.`;
      case 'not_found':
        return `Nothing at this path (${detail}). Check the URL's path.`;
      case 'http_error':
        if (detail.includes('expected a WebSocket upgrade')) {
          return `The server answered with a plain HTTP response (${detail.split(':')[0]}) instead of a WebSocket upgrade. Is this the WebSocket endpoint, or should the hub use SSE?`;
        }
        return `The hub refused the connection: ${detail}.`;
      case 'bad_config':
        return `The hub settings are not usable: ${detail}.`;
      default:
        return `The hub refused the connection: ${detail}.`;
    }
  }
  const host = hostOf(url);
  if (outcome.status !== undefined) {
    const wait =
      outcome.retryAfterMs === null ? '' : ` It asks to retry after ${formatSeconds(outcome.retryAfterMs)}.`;
    return outcome.status === 429
      ? `The hub is rate limiting this client (${outcome.reason}).${wait}`
      : `The server is in trouble (${outcome.reason}); try again later.${wait}`;
  }
  const code = outcome.code;
  if (code === 'ECONNREFUSED') {
    return `Connection refused: nothing is listening at ${host}. Is the hub running, and are the host and port right?`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `The host name of ${host} could not be resolved (DNS). Check its spelling and your network.`;
  }
  if (code !== undefined && isTlsErrorCode(code)) {
    return `The TLS handshake with ${host} failed (${code}): the certificate is not trusted, expired, or does not match the host name.`;
  }
  if (outcome.reason.startsWith('no response within')) {
    return `No response from ${host} within ${formatSeconds(connectTimeoutMs)}: the host may be unreachable, or a firewall drops the connection.`;
  }
  return `Could not connect: ${outcome.reason}.`;
}

/**
 * Tests a hub's settings with one request (using `plan.probePrepare` when the plan has
 * one, so a probe never starts an rdev command): connects, waits up to `listenMs` for
 * up to 5 frames, and never reconnects. Works for SSE and WebSocket.
 */
export async function probeHub(plan: StreamPlan, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_PROBE_CONNECT_TIMEOUT_MS;
  const listenMs = options.listenMs ?? DEFAULT_PROBE_LISTEN_MS;
  const maxFrames = options.maxFrames ?? DEFAULT_PROBE_FRAMES;
  const controller = new AbortController();
  const elapsed = (): number => Math.round(performance.now() - started);

  let request: RequestSpec;
  try {
    request = plan.probePrepare
      ? await plan.probePrepare()
      : await plan.prepare({ attempt: 0, lastEventId: null, signal: controller.signal });
  } catch (error) {
    const detail = error instanceof StopError ? error.outcome.detail : errorMessage(error);
    return {
      request: { method: 'GET', url: '', headers: {} },
      status: null,
      statusText: null,
      responseHeaders: {},
      frames: [],
      durationMs: elapsed(),
      outcome: 'failed',
      hint: `Could not prepare the request: ${detail}.`,
    };
  }

  const frames: string[] = [];
  let response: ResponseInfo | null = null;
  let opened = false;
  let timer: NodeJS.Timeout | null = setTimeout(
    () => controller.abort(new Error(`no response within ${formatSeconds(connectTimeoutMs)}`)),
    connectTimeoutMs,
  );
  const done: StreamEnd = { reason: 'completed', detail: 'probe finished' };
  const sink: AttemptSink = {
    lastEventId: null,
    opened() {
      opened = true;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error('listened long enough')), listenMs);
    },
    received() {},
    frame(frame) {
      frames.push(frameText(frame));
      return frames.length >= maxFrames ? done : null;
    },
    retryInterval() {},
  };
  const attemptOptions = {
    signal: controller.signal,
    now,
    classifyStatus: plan.classifyStatus ? (status: number) => plan.classifyStatus?.(status) : undefined,
    onResponse: (info: ResponseInfo) => {
      response = info;
    },
  };
  let outcome: AttemptOutcome;
  try {
    outcome =
      plan.transport === 'websocket'
        ? await runWebSocketAttempt(request, sink, {
            ...attemptOptions,
            handshakeTimeoutMs: connectTimeoutMs,
          })
        : await runSseAttempt(request, sink, { ...attemptOptions, fetch: options.fetch ?? fetch });
  } catch (error) {
    outcome = { kind: 'retry', reason: errorMessage(error), retryAfterMs: null };
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
  const aborted = controller.signal.aborted ? abortReason(controller.signal) : null;
  const final = response as ResponseInfo | null;

  let hint: string;
  if (opened) {
    const count = frames.length;
    if (count > 0) {
      hint = `Connected: received ${count} event${count === 1 ? '' : 's'}${count >= maxFrames ? ' (showing the first ' + maxFrames + ')' : ''}.`;
    } else if (aborted !== null) {
      hint = `Connected, but nothing arrived within ${formatSeconds(listenMs)}. The hub may simply be idle — or a proxy buffers the stream (for nginx: proxy_buffering off).`;
    } else {
      hint = `Connected, but the server closed the stream without sending an event (${outcome.kind === 'retry' ? outcome.reason : 'ended'}).`;
    }
  } else {
    hint = failureHint(outcome, request.url, connectTimeoutMs);
  }
  const ok = opened || (outcome.kind === 'final' && outcome.outcome.state === 'ended');
  return {
    request: shownRequest(plan, request),
    status: final?.status ?? null,
    statusText: final?.statusText ?? null,
    responseHeaders: final?.headers ?? {},
    frames,
    durationMs: elapsed(),
    outcome: ok ? 'ok' : 'failed',
    hint,
  };
}
