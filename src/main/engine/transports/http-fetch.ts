/**
 * One HTTP GET with redirects followed by hand, shared by the SSE stream and the polling
 * fallback: fetch's own redirect handling would send custom auth headers (X-API-Key, …)
 * to whatever origin a redirect names.
 */
import { MAX_REDIRECTS, abortReason, describeNetworkError, headersRecord, isRedirect } from './attempt';
import type { AttemptOutcome, ResponseInfo } from './attempt';
import { isCredentialHeader } from './redact';

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
 * UTF-8 bytes (DESIGN.md: "Last-Event-ID is sent as the UTF-8 bytes of the id").
 * Plain ASCII, the common case, is returned as is.
 */
export function utf8HeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
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
 * A network error is a `retry` outcome described for the operator.
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
