/**
 * Plain clients for the demo hub tests: a raw SSE reader over node:http (keeps every
 * chunk as it arrived), a small WHATWG-style SSE parser, and a Backend.AI request signer
 * written from the seed's description. None of it uses the engine.
 */
import { createHash, createHmac } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  event: string | null;
  id: string | null;
  data: string;
}

/** An incremental SSE parser: LF, CR and CRLF lines, comments kept for inspection. */
export class SseParser {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | null = null;
  private buffer = '';
  private data: string[] = [];
  private event: string | null = null;
  private lastId: string | null = null;
  private hasData = false;

  feed(text: string, final = false): void {
    this.buffer += text;
    let start = 0;
    for (;;) {
      let i = start;
      const n = this.buffer.length;
      // Find the next CR or LF from `start`.
      const lf = this.buffer.indexOf('\n', i);
      const cr = this.buffer.indexOf('\r', i);
      if (lf === -1 && cr === -1) break;
      i = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      let next = i + 1;
      if (this.buffer[i] === '\r') {
        if (i + 1 === n && !final) break; // a CR at the end may be half of CRLF
        if (this.buffer[i + 1] === '\n') next = i + 2;
      }
      this.line(this.buffer.slice(start, i));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.hasData) this.events.push({ event: this.event, id: this.lastId, data: this.data.join('\n') });
      this.data = [];
      this.hasData = false;
      this.event = null;
      return;
    }
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'event') this.event = value;
    else if (field === 'id') this.lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }
}

/** A raw SSE (or any streaming HTTP) response, recorded chunk by chunk. */
export class StreamingResponse {
  readonly chunks: Buffer[] = [];
  readonly parser = new SseParser();
  status = 0;
  headers: IncomingHttpHeaders = {};
  body = '';
  /** How the response finished: `end` (cleanly), `error` (connection cut), or still open. */
  outcome: 'open' | 'end' | 'error' = 'open';
  private readonly decoder = new StringDecoder('utf8');
  private readonly waiters: (() => void)[] = [];
  private abort: (() => void) | undefined;

  get events(): SseEvent[] {
    return this.parser.events;
  }

  /** All bytes so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
  until(predicate: (response: this) => boolean, timeoutMs = 5000, what = 'condition'): Promise<this> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (predicate(this)) {
          clearTimeout(timer);
          resolve(this);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.events.length} events)`),
        );
      }, timeoutMs);
      const waiter = (): void => {
        if (!check()) this.waiters.push(waiter);
      };
      waiter();
    });
  }

  /** Resolves once `count` events have arrived. */
  untilEvents(count: number, timeoutMs = 5000): Promise<SseEvent[]> {
    return this.until((r) => r.events.length >= count, timeoutMs, `${count} events`).then((r) =>
      r.events.slice(0, count),
    );
  }

  /** Resolves once the response has finished, either way. */
  finished(timeoutMs = 5000): Promise<this> {
    return this.until((r) => r.outcome !== 'open', timeoutMs, 'the end of the response');
  }

  close(): void {
    this.abort?.();
  }

  /** @internal */
  attach(abort: () => void): void {
    this.abort = abort;
  }

  /** @internal */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    const text = this.decoder.write(chunk);
    this.body += text;
    this.parser.feed(text);
    this.notify();
  }

  /** @internal */
  finish(outcome: 'end' | 'error'): void {
    if (this.outcome !== 'open') return;
    const rest = this.decoder.end();
    this.body += rest;
    this.parser.feed(rest, true);
    this.outcome = outcome;
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

export interface OpenOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Opens a request and resolves once the response headers are in; the body keeps streaming in. */
export function openStream(url: string, options: OpenOptions = {}): Promise<StreamingResponse> {
  return new Promise((resolve, reject) => {
    const response = new StreamingResponse();
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      response.status = res.statusCode ?? 0;
      response.headers = res.headers;
      res.on('data', (chunk: Buffer) => response.push(chunk));
      res.on('end', () => response.finish('end'));
      res.on('error', () => response.finish('error'));
      res.on('close', () => {
        // 'close' without 'end' means the connection was cut mid-body.
        if (!res.complete) response.finish('error');
      });
      resolve(response);
    });
    response.attach(() => req.destroy());
    req.on('error', (error) => {
      if (response.status === 0) reject(error);
      else response.finish('error');
    });
    req.end(options.body);
  });
}

/** Opens an SSE stream, waits for `count` events, closes it, and returns them. */
export async function takeEvents(
  url: string,
  count: number,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<SseEvent[]> {
  const response = await openStream(url, { headers });
  try {
    if (response.status !== 200) throw new Error(`status ${response.status}: ${response.body}`);
    return await response.untilEvents(count, timeoutMs);
  } finally {
    response.close();
  }
}

/** JSON of an event's data. */
export function json<T = Record<string, unknown>>(event: SseEvent): T {
  return JSON.parse(event.data) as T;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Signs a Backend.AI request as the seed's README describes, written here independently
 * of both the engine's signer and the demo hub's checker.
 */
export function backendAiHeaders(input: {
  method?: string;
  /** Path and query exactly as they go on the request line. */
  pathWithQuery: string;
  /** Host header value, `host:port`. */
  host: string;
  accessKey: string;
  secretKey: string;
  version?: string;
  /** The Date header, exactly as it will be sent. */
  date?: string;
}): Record<string, string> {
  const date = input.date ?? new Date().toISOString();
  const version = input.version ?? 'v4.20190615';
  const day = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(date);
  if (!day) throw new Error(`not an ISO date: ${date}`);
  const hmac = (key: string | Buffer, message: string): Buffer =>
    createHmac('sha256', key).update(message).digest();
  const signingKey = hmac(hmac(input.secretKey, `${day[1]}${day[2]}${day[3]}`), input.host);
  const lines = [
    (input.method ?? 'GET').toUpperCase(),
    input.pathWithQuery,
    date,
    `host:${input.host}`,
    'content-type:application/json',
    `x-backendai-version:${version}`,
    createHash('sha256').update(Buffer.alloc(0)).digest('hex'),
  ];
  const signature = createHmac('sha256', signingKey).update(lines.join('\n')).digest('hex');
  return {
    Date: date,
    'X-BackendAI-Version': version,
    'Content-Type': 'application/json',
    Authorization: `BackendAI signMethod=HMAC-SHA256, credential=${input.accessKey}:${signature}`,
  };
}
