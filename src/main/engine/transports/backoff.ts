/**
 * Reconnect delays: exponential backoff with full jitter on top of the server's floor.
 * docs/architecture.md: "A reconnect never comes sooner than the server's retry: or Retry-After;
 * jitter only lengthens the wait."
 */

/** A server-given delay above this is treated as this (setTimeout cannot wait ~25 days anyway). */
export const MAX_SERVER_DELAY_MS = 24 * 60 * 60 * 1000;

/** First backoff span, in ms. */
export const DEFAULT_BACKOFF_BASE_MS = 1_000;
/** Largest backoff span, in ms (the server's floor comes on top). */
export const DEFAULT_BACKOFF_CAP_MS = 30_000;

/** Tunables of the backoff. */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** A number in [0, 1); `Math.random` by default (tests inject their own). */
  random?: () => number;
}

/**
 * The delay before reconnect number `failures + 1`: `floor + random · min(cap, base · 2^failures)`.
 * Full jitter spreads many clients of one restarting hub apart; adding it on top of the
 * floor (rather than taking the max) keeps the server's `retry:` / `Retry-After` a true
 * minimum. The floor is limited to 24 h.
 */
export function backoffDelay(failures: number, floorMs: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const random = options.random ?? Math.random;
  const floor = Math.min(Math.max(0, floorMs), MAX_SERVER_DELAY_MS);
  // 2^failures overflows to Infinity for huge counts; min() with the cap keeps it finite.
  const span = Math.min(cap, base * 2 ** Math.max(0, failures));
  const r = Math.min(Math.max(random(), 0), 1);
  return floor + Math.floor(r * span);
}

/** Backoff state of one connection: how many reconnects failed in a row. */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions = {}) {}

  /** Consecutive failures since the last reset. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The next delay (see `backoffDelay`), counting one more failure. */
  next(floorMs = 0): number {
    const delay = backoffDelay(this.failures, floorMs, this.options);
    this.failures += 1;
    return delay;
  }

  /** Back to the first span: the connection was healthy. */
  reset(): void {
    this.failures = 0;
  }
}
