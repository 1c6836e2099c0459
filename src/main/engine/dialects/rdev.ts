/**
 * rdev remote shell (seed 003): `POST /projects/{project}/shell {"command"}` starts a
 * command and answers `{"data": {"id"}}`; SSE `GET /projects/{project}/events?stream_id=`
 * then streams `connected`, `output {line, stream}`, `complete {exit_code, duration_ms}`,
 * `heartbeat` and `error {message}`, resumable with `Last-Event-ID`. Auth: `X-API-Key`.
 */
import { effectiveTransport, type HubConfig } from '../../../shared/hub-config';
import type { EntityRef, Level } from '../../../shared/hub-event';
import type { EntityEvent, EntityUpdate } from '../entity-update';
import type { MappedEvent } from '../event-record';
import { isClientRefusal, unsendableHeader, utf8HeaderValue } from '../transports/http-fetch';
import { StopError, type AttemptContext, type Frame, type RequestSpec } from '../transports/types';
import { buildRequest, silenceTimeoutMs } from './attempt-request';
import {
  NOT_JSON,
  idValue,
  isJsonObject,
  malformedEvent,
  numberValue,
  parseJsonPayload,
  sseEventName,
  preview,
  stringField,
  stringValue,
  unreadablePayloadEvent,
  type JsonObject,
} from './json-payload';
import { normalizeLevel } from './levels';
import { findPayloadTime } from './payload-time';
import type { Dialect, DialectContext } from './types';

const DEFAULT_SILENCE_MS = 60_000;
/** A POST that hangs must not hang the hub: give up and retry with backoff. */
const START_TIMEOUT_MS = 30_000;

/** The shell endpoint that starts a command. */
export function rdevShellUrl(baseUrl: string, project: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(project)}/shell`;
}

/** The SSE endpoint of one command's stream (`streamId` may be empty for a probe). */
export function rdevEventsUrl(baseUrl: string, project: string, streamId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(project)}/events?stream_id=${encodeURIComponent(streamId)}`;
}

/** An exit code given as a number or a numeric string, or `null`. */
function exitCodeOf(payload: JsonObject): number | null {
  const value = payload['exit_code'];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim().length > 0) {
    const parsed = Number(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  return null;
}

/** `exit 1 after 8.2 s` from a `complete` payload (each part only when present). */
export function describeCompletion(payload: unknown): string {
  if (!isJsonObject(payload)) return 'command completed';
  const object = payload;
  const exitCode = exitCodeOf(object);
  const duration = object['duration_ms'];
  const after =
    typeof duration === 'number' && Number.isFinite(duration) && duration >= 0
      ? ` after ${(duration / 1000).toFixed(1)} s`
      : '';
  return exitCode === null ? `command completed${after}` : `exit ${exitCode}${after}`;
}

function derivedLevel(event: string, payload: JsonObject | null): Level {
  if (event === 'error') return 'error';
  if (event === 'complete' && payload !== null) {
    const exitCode = exitCodeOf(payload);
    if (exitCode !== null && exitCode !== 0) return 'error';
  }
  return 'info';
}

function describe(event: string, payload: JsonObject, frame: Frame, streamId: string | null): string {
  switch (event) {
    case 'output': {
      const line = payload['line'];
      return typeof line === 'string' ? line : preview(frame.data);
    }
    case 'complete':
      return describeCompletion(payload);
    case 'connected':
      return (
        stringField(payload, 'message') ??
        (streamId === null ? 'connected' : `connected to stream ${streamId}`)
      );
    case 'heartbeat':
      return stringField(payload, 'message') ?? 'heartbeat';
    case 'error':
      return stringField(payload, 'message') ?? stringField(payload, 'error') ?? preview(frame.data);
    default:
      return stringField(payload, 'message') ?? preview(frame.data);
  }
}

/** What the dialect says for an rdev event whose payload is empty. */
function emptyPayloadMessage(event: string, streamId: string | null): string {
  if (event === 'connected' && streamId !== null) return `connected to stream ${streamId}`;
  if (event === 'complete') return 'command completed';
  return event;
}

/** One rdev hub: the stream id it follows (started once, or configured) and its frame mapper. */
class RdevHub {
  private streamId: string | null;
  private pendingStart: Promise<string> | null = null;
  private readonly baseUrl: string;
  private readonly project: string;

  constructor(
    private readonly hub: HubConfig,
    private readonly context: DialectContext,
  ) {
    this.baseUrl = hub.url;
    this.project = hub.project ?? '';
    this.streamId = hub.streamId !== undefined && hub.streamId.length > 0 ? hub.streamId : null;
    // After a restart, a command the history saw started is followed, never run again.
    const resume = context.resume;
    if (this.streamId === null && hub.command !== undefined && resume?.lastEntityId) {
      this.streamId = resume.lastEntityId;
      this.finishedBefore = resume.lastEvent === 'complete';
    }
  }

  /** The command completed before a restart: there is nothing left to follow. */
  private finishedBefore = false;

  /** The stream id once known (from the config or the one POST), else `null`. */
  get currentStreamId(): string | null {
    return this.streamId;
  }

  async prepare(attempt: AttemptContext): Promise<RequestSpec> {
    if (this.finishedBefore) {
      throw new StopError({
        state: 'ended',
        reason: 'completed',
        detail: `command on stream ${this.streamId ?? ''} completed before Hubwatch restarted`,
      });
    }
    const streamId = this.streamId ?? (await this.startOnce(attempt.signal));
    return buildRequest(this.hub, this.context, 'GET', rdevEventsUrl(this.baseUrl, this.project, streamId));
  }

  probe(): Promise<RequestSpec> {
    return Promise.resolve().then(() =>
      buildRequest(
        this.hub,
        this.context,
        'GET',
        rdevEventsUrl(this.baseUrl, this.project, this.streamId ?? ''),
      ),
    );
  }

  /**
   * Starts the command unless it already has been: the id is remembered for good, so a
   * reconnect resumes the same command instead of running it again. Concurrent callers
   * share one POST; a POST that failed (network, 5xx) may be tried again.
   */
  private startOnce(signal: AbortSignal | undefined): Promise<string> {
    this.pendingStart ??= this.start(signal).then(
      (streamId) => {
        this.streamId = streamId;
        return streamId;
      },
      (error: unknown) => {
        this.pendingStart = null;
        throw error;
      },
    );
    return this.pendingStart;
  }

  private async start(stopSignal: AbortSignal | undefined): Promise<string> {
    const command = this.hub.command;
    if (command === undefined || this.hub.project === undefined) {
      throw new StopError({
        state: 'failed',
        reason: 'bad_config',
        detail: `hub "${this.hub.id}": rdev needs project and command or streamId`,
      });
    }
    const request = buildRequest(this.hub, this.context, 'POST', rdevShellUrl(this.baseUrl, this.project), {
      'Content-Type': 'application/json',
    });
    // As on the stream: UTF-8 bytes for non-ASCII values, and a header fetch refuses stops
    // the hub (retrying would refuse it again, forever).
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = utf8HeaderValue(value);
    const refused = (detail: string) =>
      new StopError({ state: 'failed', reason: 'bad_config', detail: `starting the command: ${detail}` });
    const unsendable = unsendableHeader(headers);
    if (unsendable !== null) throw refused(`the request cannot be sent: ${unsendable}`);
    let response: Response;
    let body: string;
    try {
      response = await this.context
        .fetch(request.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ command }),
          // A redirect would replay the POST (and its credentials) somewhere we did not configure.
          redirect: 'manual',
          signal: stopSignal
            ? AbortSignal.any([stopSignal, AbortSignal.timeout(START_TIMEOUT_MS)])
            : AbortSignal.timeout(START_TIMEOUT_MS),
        })
        .catch((error: unknown) => {
          // Whatever else fetch refuses to send is refused every time too.
          if (isClientRefusal(error)) {
            const why = error instanceof Error ? error.message : String(error);
            throw refused(`the request cannot be sent: ${why}`);
          }
          throw error;
        });
      body = await response.text();
    } catch (error) {
      if (error instanceof StopError) throw error;
      throw new Error(
        `starting the command failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      const payload = parseJsonPayload(body);
      const data = isJsonObject(payload) ? payload['data'] : undefined;
      const streamId =
        (isJsonObject(data) ? idValue(data['id']) : null) ??
        (isJsonObject(payload) ? idValue(payload['id']) : null);
      if (streamId === null) {
        throw new StopError({
          state: 'failed',
          reason: 'protocol_error',
          detail: `starting the command: the response has no data.id (${preview(body, 80)})`,
        });
      }
      return streamId;
    }
    const said = body.trim().length > 0 ? `: ${preview(body.trim(), 160)}` : '';
    if (status === 401 || status === 403) {
      throw new StopError({
        state: 'failed',
        reason: 'credentials_rejected',
        detail: `starting the command: credentials rejected (HTTP ${status})${said}`,
      });
    }
    if (status === 404) {
      throw new StopError({
        state: 'failed',
        reason: 'not_found',
        detail: `starting the command: project "${this.project}" not found (HTTP 404)${said}`,
      });
    }
    if (status >= 500) throw new Error(`starting the command: HTTP ${status}${said}`);
    throw new StopError({
      state: 'failed',
      reason: 'http_error',
      detail: `starting the command: HTTP ${status}${said}`,
    });
  }

  map(frame: Frame): MappedEvent {
    const event = sseEventName(frame) ?? 'message';
    const payload = parseJsonPayload(frame.data);
    const fromPayload = isJsonObject(payload) ? payload : null;
    const streamId = this.streamId ?? (fromPayload === null ? null : idValue(fromPayload['stream_id']));
    const entity: EntityRef | null = streamId === null ? null : { type: 'command', id: streamId };
    if (payload === NOT_JSON)
      return malformedEvent(frame, event, entity, event === 'error' ? 'error' : 'warn');
    if (fromPayload === null) {
      return unreadablePayloadEvent(
        frame,
        event,
        payload,
        entity,
        derivedLevel(event, null),
        emptyPayloadMessage(event, streamId),
      );
    }
    const stream = event === 'output' ? stringField(fromPayload, 'stream') : null;
    return {
      event,
      time: findPayloadTime(fromPayload, frame.receivedAt) ?? frame.receivedAt,
      level: normalizeLevel(fromPayload['level']) ?? derivedLevel(event, fromPayload),
      source: stream,
      entity,
      message: describe(event, fromPayload, frame, streamId),
      data: fromPayload,
      raw: frame.data,
      malformed: false,
    };
  }
}

/**
 * What an rdev event says about its command: an `output` line (and its stream), the
 * `complete` exit code and duration, or an `error` message.
 */
export function readRdevEntity(event: EntityEvent): EntityUpdate | null {
  const data = isJsonObject(event.data) ? event.data : null;
  switch (event.event) {
    case 'output':
      return {
        type: 'command',
        output: {
          stream: stringValue(data?.['stream']) === 'stderr' ? 'stderr' : 'stdout',
          line: stringValue(data?.['line']) ?? (typeof event.data === 'string' ? event.data : ''),
        },
      };
    case 'complete':
      return {
        type: 'command',
        complete: {
          exitCode: numberValue(data?.['exit_code']),
          durationMs: numberValue(data?.['duration_ms']),
        },
      };
    case 'error':
      return { type: 'command', errorMessage: stringValue(data?.['message']) ?? event.message };
    default:
      return null;
  }
}

/**
 * The rdev dialect. With `command`, the first attempt POSTs it once and remembers the
 * stream id; every attempt (and reconnect) then GETs that stream with `Last-Event-ID`.
 * With `streamId`, it only follows. `complete` ends the hub (`exit 1 after 8.2 s`); "Test
 * connection" probes the events URL and never starts a command.
 */
export const rdevDialect: Dialect = {
  id: 'rdev',
  create(hub, context) {
    const rdev = new RdevHub(hub, context);
    return {
      plan: {
        transport: effectiveTransport(hub),
        silenceTimeoutMs: silenceTimeoutMs(hub, DEFAULT_SILENCE_MS),
        prepare: (attempt) => rdev.prepare(attempt),
        probePrepare: () => rdev.probe(),
        endsStream: (frame) =>
          frame.event === 'complete'
            ? { reason: 'completed', detail: describeCompletion(parseJsonPayload(frame.data)) }
            : null,
      },
      map: (frame) => rdev.map(frame),
    };
  },
  entityUpdate: readRdevEntity,
};
