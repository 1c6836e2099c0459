/**
 * What an HTTP response status means for an attempt, shared by the SSE and WebSocket
 * transports: which statuses redirect, how `Retry-After` reads, and which statuses retry,
 * end or fail the hub.
 */
import type { AttemptOptions, AttemptOutcome } from './attempt';
import { MAX_SERVER_DELAY_MS } from './backoff';

/** At most this many redirects are followed in one attempt (as browsers do for fetch). */
export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Whether `status` is a redirect the transports follow (when a Location is given). */
export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * Parses a `Retry-After` value — delay-seconds or an HTTP date — into ms from `now`.
 * `null` when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_SERVER_DELAY_MS);
  // An HTTP date always names its weekday or month; this keeps "-5" from parsing as a year.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_SERVER_DELAY_MS);
}

/** `HTTP 503 Service Unavailable`, or `HTTP 503` when the server sent no reason phrase. */
export function describeStatus(status: number, statusText: string): string {
  return statusText ? `HTTP ${status} ${statusText}` : `HTTP ${status}`;
}

/**
 * The shared rules for an HTTP status other than success: the plan's `classifyStatus`
 * first; then 204 → ended (`no_content`); 401/403 → failed (`credentials_rejected`);
 * 429 and 5xx → retry, honouring Retry-After; 404 → failed (`not_found`); anything
 * else → failed (`http_error`). [spec] EventSource fails the connection for any status
 * but 200; docs/architecture.md keeps 429/5xx retryable because hubs restart and rate-limit.
 */
export function outcomeForStatus(
  status: number,
  statusText: string,
  retryAfter: string | null | undefined,
  options: Pick<AttemptOptions, 'classifyStatus' | 'now'>,
): AttemptOutcome {
  const described = describeStatus(status, statusText);
  const planned = options.classifyStatus?.(status);
  if (planned) return { kind: 'final', outcome: planned };
  if (status === 204) {
    return {
      kind: 'final',
      outcome: {
        state: 'ended',
        reason: 'no_content',
        detail: `${described}: the hub has nothing to stream`,
      },
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'final',
      outcome: {
        state: 'failed',
        reason: 'credentials_rejected',
        detail: `${described}: credentials rejected`,
      },
    };
  }
  if (status === 429 || (status >= 500 && status <= 599)) {
    return {
      kind: 'retry',
      reason: described,
      retryAfterMs: parseRetryAfter(retryAfter, options.now()),
      status,
    };
  }
  if (status === 404) {
    return { kind: 'final', outcome: { state: 'failed', reason: 'not_found', detail: described } };
  }
  return { kind: 'final', outcome: { state: 'failed', reason: 'http_error', detail: described } };
}
