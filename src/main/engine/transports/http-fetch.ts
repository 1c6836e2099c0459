/**
 * One HTTP GET with redirects followed by hand, shared by the SSE stream and the polling
 * fallback: fetch's own redirect handling would send custom auth headers (X-API-Key, …)
 * to whatever origin a redirect names.
 */
import { validateHeaderValue } from 'node:http';
import { MAX_REDIRECTS, isRedirect } from './http-status';
import { abortReason } from './abort-signal';
import { describeNetworkError, errorMessage } from './network-errors';
import type { AttemptOutcome, ResponseInfo } from './attempt';
import { isCredentialHeader } from './redact';

/** A header list as a plain record (lower-case names), for displays. */
function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** Options of `fetchFollowingRedirects`. */
export interface RedirectingFetchOptions {
  fetch: typeof fetch;
  signal: AbortSignal;
  /** Extra credential header names (the hub's auth header), dropped on a cross-origin redirect. */
  credentialHeaders?: readonly string[] | undefined;
  onResponse?: ((info: ResponseInfo) => void) | undefined;
}

/** The response to read (not a redirect), or how the attempt already ended. */
export type FetchResult = { response: Response; url: URL } | { outcome: AttemptOutcome };

/**
 * A header value as bytes fetch will send unchanged. fetch only takes ByteStrings and
 * writes each code unit as one byte (Latin-1), so a value such as an event id `é` or `中`
 * is turned into the Latin-1 spelling of its UTF-8 bytes: the server then receives the
 * UTF-8 bytes (docs/architecture.md: "Last-Event-ID is sent as the UTF-8 bytes of the id").
 * Plain ASCII, the common case, is returned as is.
 */
export function utf8HeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}

/** `U+0001`: how a character is named in reasons. */
function codePointName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why Node's HTTP clients would refuse to send `value` (already as `utf8HeaderValue` made
 * it) in a header, or `null` when they send it. Both undici (fetch) and `node:http` (ws)
 * take only TAB, visible ASCII and the bytes 0x80–0xFF; anything else makes them throw
 * before a byte goes out. `validateHeaderValue` is that very rule; the scan only names the
 * character for the operator.
 */
export function headerValueProblem(value: string): string | null {
  try {
    validateHeaderValue('x', value);
    return null;
  } catch {
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
        return `holds the control character ${codePointName(code)}, which an HTTP header cannot carry`;
      }
      if (code > 0xff) return `holds ${codePointName(code)}, which an HTTP header cannot carry`;
    }
    return 'holds a character an HTTP header cannot carry';
  }
}

/**
 * The reason a request with these headers (as given to fetch or ws) cannot be sent at all —
 * `header X-Team holds the control character U+0001, …` — or `null`. Such a request must
 * never be retried unchanged: it would fail the same way forever without reaching the server.
 */
export function unsendableHeader(headers: Record<string, string> | Headers): string | null {
  const entries = headers instanceof Headers ? [...headers] : Object.entries(headers);
  for (const [name, value] of entries) {
    const problem = headerValueProblem(value);
    if (problem !== null) return `header ${name} ${problem}`;
  }
  return null;
}

/**
 * Whether a `fetch()` call (or a ws upgrade) was refused by the client itself, before any
 * network I/O: its arguments were invalid (a header value, a URL). A network failure
 * rejects the call with a `TypeError` "fetch failed" whose cause is the socket's error; a
 * refusal with any other `TypeError` (Headers, ByteString conversion) or undici's / Node's
 * own argument errors. Only for the call itself: reading a body fails with other TypeErrors.
 */
export function isClientRefusal(error: unknown): boolean {
  if (error instanceof TypeError && error.message !== 'fetch failed') return true;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && CLIENT_REFUSAL_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

const CLIENT_REFUSAL_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_URL',
]);

/** The final outcome of a request our own HTTP client refused: retrying it unchanged would loop forever. */
export function refusedRequest(detail: string): AttemptOutcome {
  return {
    kind: 'final',
    outcome: { state: 'failed', reason: 'bad_config', detail: `the request cannot be sent: ${detail}` },
  };
}

/** A copy of `headers` without anything that carries credentials, for a request to another origin. */
export function withoutCredentials(headers: Headers, credentialHeaders: readonly string[] = []): Headers {
  const out = new Headers();
  headers.forEach((value, name) => {
    if (!isCredentialHeader(name, credentialHeaders)) out.set(name, value);
  });
  return out;
}

/** Parses an http(s) URL, or says why it cannot be requested. */
export function httpUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `invalid URL: ${raw}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `expected an http: or https: URL, got ${url.protocol}`;
  }
  return url;
}

/** Releases a response we will not read, so its connection is not left half-used. */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already closed or aborted: nothing left to release.
  }
}

/**
 * GETs `url`, following up to 10 redirects (301/302/303/307/308 with a Location). A
 * redirect to another origin (scheme, host or port) drops every credential header.
 * A network error is a `retry` outcome described for the operator; a request the client
 * refuses to send is final (`refusedRequest`).
 */
export async function fetchFollowingRedirects(
  start: URL,
  startHeaders: Headers,
  options: RedirectingFetchOptions,
): Promise<FetchResult> {
  let url = start;
  let headers = startHeaders;
  for (let redirects = 0; ; redirects++) {
    let response: Response;
    try {
      response = await options.fetch(url, { headers, redirect: 'manual', signal: options.signal });
    } catch (error) {
      if (options.signal.aborted) {
        return { outcome: { kind: 'retry', reason: abortReason(options.signal), retryAfterMs: null } };
      }
      // Callers check their headers first; this catches whatever else the client refuses.
      if (isClientRefusal(error)) return { outcome: refusedRequest(errorMessage(error)) };
      return { outcome: { kind: 'retry', retryAfterMs: null, ...describeNetworkError(error, url.href) } };
    }
    options.onResponse?.({
      url: url.href,
      status: response.status,
      statusText: response.statusText,
      headers: headersRecord(response.headers),
    });
    const location = response.headers.get('location');
    if (!isRedirect(response.status) || location === null) return { response, url };
    await discard(response);
    if (redirects >= MAX_REDIRECTS) {
      return {
        outcome: {
          kind: 'final',
          outcome: { state: 'failed', reason: 'http_error', detail: `more than ${MAX_REDIRECTS} redirects` },
        },
      };
    }
    let next: URL | string;
    try {
      next = httpUrl(new URL(location, url).href);
    } catch {
      next = `invalid URL: ${location}`;
    }
    if (typeof next === 'string') {
      return {
        outcome: {
          kind: 'final',
          outcome: { state: 'failed', reason: 'http_error', detail: `redirect to ${next}` },
        },
      };
    }
    if (next.origin !== url.origin) headers = withoutCredentials(headers, options.credentialHeaders);
    url = next;
  }
}
