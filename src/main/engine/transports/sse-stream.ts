/**
 * One Server-Sent Events attempt over Node's fetch and eventsource-parser, following the
 * WHATWG EventSource processing model (https://html.spec.whatwg.org/multipage/server-sent-events.html)
 * where a non-browser client can, with custom headers and the status rules of docs/architecture.md.
 */
import { createParser } from 'eventsource-parser';
import type { ParseError } from 'eventsource-parser';
import { abortReason } from './abort-signal';
import { badConfig } from './attempt';
import { errorMessage } from './network-errors';
import { formatMiB } from './quantity-text';
import { outcomeForStatus } from './http-status';
import type { AttemptOptions, AttemptOutcome, AttemptSink, StreamEnd } from './attempt';
import {
  discard,
  fetchFollowingRedirects,
  headerValueProblem,
  httpUrl,
  refusedRequest,
  unsendableHeader,
  utf8HeaderValue,
} from './http-fetch';
import type { Frame, RequestSpec } from './types';

/** Largest event (or line) the parser buffers, in characters: a 10 MB line fits, a runaway stream does not. */
export const DEFAULT_MAX_EVENT_SIZE = 32 * 1024 * 1024;

/** Options of one SSE attempt. */
export interface SseAttemptOptions extends AttemptOptions {
  fetch: typeof fetch;
  /** `maxBufferSize` of the parser, in characters; exceeding it aborts the attempt. */
  maxEventSize?: number;
}

/** Reused for every decode call: the hot path allocates nothing it does not have to. */
const STREAM_DECODE = { stream: true } as const;

/**
 * The request headers of an SSE attempt: `Accept: text/event-stream` and
 * `Cache-Control: no-cache` ([spec] the EventSource request), the plan's headers, and
 * `Last-Event-ID` as UTF-8 bytes when there is a last event id ([spec] not when it is "").
 */
export function sseRequestHeaders(request: RequestSpec, lastEventId: string | null): Headers {
  const headers = new Headers();
  headers.set('Accept', 'text/event-stream');
  headers.set('Cache-Control', 'no-cache');
  for (const [name, value] of Object.entries(request.headers)) {
    headers.set(name, utf8HeaderValue(value));
  }
  if (lastEventId !== null && lastEventId !== '') {
    headers.set('Last-Event-ID', utf8HeaderValue(lastEventId));
  }
  return headers;
}

/** Whether a Content-Type names the event-stream MIME type (parameters allowed, [spec] "text/event-stream;" too). */
export function isEventStreamType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return essence === 'text/event-stream';
}

function retryOutcome(reason: string): AttemptOutcome {
  return { kind: 'retry', reason, retryAfterMs: null };
}

/**
 * Runs one SSE attempt: connects, applies the response rules, then parses the body into
 * frames until the body ends, fails, the signal aborts, or `sink.frame` ends the stream.
 * A normal end of the body is a `retry` ([spec] the user agent reestablishes the connection).
 */
export async function runSseAttempt(
  request: RequestSpec,
  sink: AttemptSink,
  options: SseAttemptOptions,
): Promise<AttemptOutcome> {
  const url = httpUrl(request.url);
  if (typeof url === 'string') return badConfig(`SSE hub: ${url}`);
  let headers: Headers;
  try {
    headers = sseRequestHeaders(request, sink.lastEventId);
  } catch (error) {
    return badConfig(`invalid request header: ${errorMessage(error)}`);
  }
  // fetch would refuse these itself, every time: say why once instead of retrying forever.
  // The hub's own headers are checked as fetch holds them (trimmed), under their own names.
  const own: Record<string, string> = {};
  for (const name of Object.keys(request.headers)) own[name] = headers.get(name) ?? '';
  const unsendable = unsendableHeader(own);
  if (unsendable !== null) return refusedRequest(unsendable);
  const idProblem = headerValueProblem(headers.get('last-event-id') ?? '');
  if (idProblem !== null) {
    // [spec] Any id but one with NUL is valid, and a browser sends it raw; HTTP cannot carry
    // it. The request changes (no Last-Event-ID) and the connection marks the gap.
    return {
      kind: 'retry',
      reason: `the last event id ${JSON.stringify(sink.lastEventId)} cannot be sent as Last-Event-ID: it ${idProblem}`,
      retryAfterMs: null,
      lastEventIdRefused: true,
    };
  }
  const connected = await fetchFollowingRedirects(url, headers, {
    fetch: options.fetch,
    signal: options.signal,
    credentialHeaders: request.credentialHeaders,
    onResponse: options.onResponse,
  });
  if ('outcome' in connected) return connected.outcome;
  const { response } = connected;

  if (response.status !== 200) {
    await discard(response);
    return outcomeForStatus(
      response.status,
      response.statusText,
      response.headers.get('retry-after'),
      options,
    );
  }
  const contentType = response.headers.get('content-type');
  if (!isEventStreamType(contentType)) {
    // [spec] A wrong MIME type fails the connection: no reconnect.
    await discard(response);
    return {
      kind: 'final',
      outcome: {
        state: 'failed',
        reason: 'wrong_content_type',
        detail: `expected text/event-stream, got ${contentType === null ? 'no Content-Type' : contentType}`,
      },
    };
  }

  sink.opened('sse');
  if (response.body === null) return retryOutcome('the server closed the stream');
  return readEvents(response.body, sink, options);
}

async function readEvents(
  body: ReadableStream<Uint8Array>,
  sink: AttemptSink,
  options: SseAttemptOptions,
): Promise<AttemptOutcome> {
  const maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
  const now = options.now;
  // [spec] UTF-8 decode: invalid bytes become U+FFFD; stream mode keeps a character split
  // across chunks intact. The one leading BOM is dropped below rather than by the decoder:
  // Node's TextDecoder (ignoreBOM: false) also drops a second BOM when the first one
  // arrives split across reads, which would turn a "\uFEFFdata:" line into a data field.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let atStart = true;
  let receivedAt = 0;
  let end: StreamEnd | null = null;
  let overflow: string | null = null;

  const parser = createParser({
    maxBufferSize: maxEventSize,
    onId(id: string) {
      // [spec] The last event id persists across events and is set even by a block without data.
      sink.lastEventId = id === '' ? null : id;
    },
    onEvent(message) {
      // Frames after the one that ended the stream in the same chunk are not delivered.
      if (end !== null) return;
      const frame: Frame = {
        event: message.event ?? null,
        id: sink.lastEventId,
        data: message.data,
        receivedAt,
        via: 'sse',
      };
      end = sink.frame(frame, message.id);
    },
    onRetry(ms: number) {
      sink.retryInterval(ms);
    },
    onError(error: ParseError) {
      if (error.type === 'max-buffer-size-exceeded') {
        overflow = `an event or line exceeded ${formatMiB(maxEventSize)}; dropped the connection`;
      }
      // Unknown fields and bad retry values are ignored ([spec] "Otherwise, the field is ignored").
    },
  });
  // We drop the one BOM the spec allows ourselves; a blank line first (a no-op at the start
  // of a stream) keeps the parser from stripping a second one.
  parser.feed('\n');

  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      receivedAt = now();
      sink.received(value.byteLength);
      let text = decoder.decode(value, STREAM_DECODE);
      // The decoder emits U+FEFF only once all of its bytes are in, so the first text it
      // gives back starts with the BOM if the stream does.
      if (atStart && text.length > 0) {
        atStart = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      parser.feed(text);
      if (end !== null || overflow !== null) break;
    }
  } catch (error) {
    if (options.signal.aborted) return retryOutcome(abortReason(options.signal));
    return retryOutcome(`connection lost: ${errorMessage(error)}`);
  } finally {
    // Stops the transfer when we leave early; a no-op after the end of the body.
    await reader.cancel().catch(() => undefined);
  }
  // TypeScript cannot see the callbacks' assignments.
  const ended = end as StreamEnd | null;
  if (ended !== null) return { kind: 'final', outcome: { state: 'ended', ...ended } };
  if (overflow !== null) return retryOutcome(overflow);
  // [spec] An incomplete final event is discarded: the parser is simply not flushed.
  return retryOutcome('the server closed the stream');
}
