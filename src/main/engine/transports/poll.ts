/**
 * The polling fallback (EvoClaw: "The dashboard automatically falls back to polling if SSE
 * fails"): while the stream is down, GET the plan's poll request every interval and hand
 * each 200 body on as a frame.
 */
import { outcomeForStatus } from './http-status';
import { sleep } from './abort-signal';
import { discard, fetchFollowingRedirects, httpUrl, utf8HeaderValue } from './http-fetch';
import type { FinalOutcome, Frame, RequestSpec } from './types';

/** Poll bodies larger than this are skipped rather than held in memory. */
export const DEFAULT_MAX_POLL_BODY = 32 * 1024 * 1024;

/** What the poller needs and reports. */
export interface PollerOptions {
  intervalMs: number;
  prepare(): Promise<RequestSpec>;
  fetch: typeof fetch;
  now: () => number;
  maxBodySize?: number;
  /** A 200 response, as a frame; `bytes` is the body size. */
  onFrame(frame: Frame, bytes: number): void;
  /** The poll was answered in a way that stops the hub for good (401/403). */
  onFinal(outcome: FinalOutcome): void;
  /** A poll finished; the next one is due at `nextPollAt` (epoch ms). */
  onPolled(nextPollAt: number): void;
}

/** Polls until stopped; the first poll is made right away. */
export class Poller {
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: PollerOptions) {}

  /** Whether polls are being made. */
  get running(): boolean {
    return this.controller !== null;
  }

  /** Starts polling (no-op when already polling). */
  start(): void {
    if (this.controller !== null) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  /** Stops polling: aborts a poll in flight and resolves when nothing is left running. */
  async stop(): Promise<void> {
    const controller = this.controller;
    const loop = this.loop;
    this.controller = null;
    this.loop = null;
    controller?.abort(new Error('polling stopped'));
    await loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { intervalMs } = this.options;
    while (!signal.aborted) {
      const started = performance.now();
      await this.pollOnce(signal, intervalMs);
      if (signal.aborted) return;
      const wait = Math.max(0, intervalMs - (performance.now() - started));
      this.options.onPolled(this.options.now() + wait);
      await sleep(wait, signal);
    }
  }

  /** One poll, given at most one interval to answer. Only 401/403 are final; other failures wait for the next poll. */
  private async pollOnce(stopSignal: AbortSignal, timeoutMs: number): Promise<void> {
    const controller = new AbortController();
    const onStop = (): void => controller.abort(stopSignal.reason);
    stopSignal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => controller.abort(new Error('poll timed out')), timeoutMs);
    try {
      const request = await this.options.prepare();
      const url = httpUrl(request.url);
      if (typeof url === 'string') return;
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) headers.set(name, utf8HeaderValue(value));
      const result = await fetchFollowingRedirects(url, headers, {
        fetch: this.options.fetch,
        signal: controller.signal,
        credentialHeaders: request.credentialHeaders,
      });
      if ('outcome' in result) return;
      const { response } = result;
      if (response.status !== 200) {
        await discard(response);
        const outcome = outcomeForStatus(response.status, response.statusText, null, this.options);
        if (
          !stopSignal.aborted &&
          outcome.kind === 'final' &&
          outcome.outcome.state === 'failed' &&
          outcome.outcome.reason === 'credentials_rejected'
        ) {
          this.options.onFinal({ ...outcome.outcome, detail: `polling: ${outcome.outcome.detail}` });
        }
        return;
      }
      const body = await readLimited(response, this.options.maxBodySize ?? DEFAULT_MAX_POLL_BODY);
      if (body === null || stopSignal.aborted) return;
      const frame: Frame = {
        event: null,
        id: null,
        data: body.text,
        receivedAt: this.options.now(),
        via: 'poll',
      };
      this.options.onFrame(frame, body.bytes);
    } catch {
      // A failed poll is not fatal: the next one may work. The stream's state says what is wrong.
    } finally {
      clearTimeout(timer);
      stopSignal.removeEventListener('abort', onStop);
    }
  }
}

async function readLimited(
  response: Response,
  limit: number,
): Promise<{ text: string; bytes: number } | null> {
  const body: ReadableStream<Uint8Array> | null = response.body;
  if (body === null) return { text: '', bytes: 0 };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > limit) return null;
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes };
}
