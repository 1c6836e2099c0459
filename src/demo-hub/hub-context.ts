/**
 * What every simulated hub shares: the hub-wide defaults, the credentials, the failure
 * counters, and the steps every stream request goes through (knobs → injected failure →
 * SSE response pumped from a source).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoCredentials } from './demo-config';
import { FailureCounter } from './faults';
import type { FrameSource } from './frame-source';
import { deriveSeed, SeededRandom } from './random';
import { SseSink } from './sse-writer';
import { KnobError, settingsForRequest, type StreamSettings } from './stream-settings';
import { StreamPump } from './stream-pump';

/** A request after routing: `url` is parsed against the request's own path. */
export interface RoutedRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

/** How one hub kind writes its errors (its own JSON shape, or problem+json for Backend.AI). */
export type ErrorWriter = (
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
) => void;

export class HubContext {
  readonly failures = new FailureCounter();

  constructor(
    /** The hub-wide stream settings; a request's query string overrides them. */
    readonly defaults: StreamSettings,
    readonly credentials: DemoCredentials,
    /** Epoch ms when the hub first started (not reset by `restart`). */
    readonly startedAt: number,
  ) {}

  /** The request's stream settings, or undefined after answering 400 for a bad knob. */
  settingsFor(routed: RoutedRequest, writeError: ErrorWriter): StreamSettings | undefined {
    try {
      return settingsForRequest(this.defaults, routed.url.searchParams);
    } catch (error) {
      if (!(error instanceof KnobError)) throw error;
      writeError(routed.res, 400, 'bad_knob', error.message);
      return undefined;
    }
  }

  /**
   * Answers with the `failFirst` status when this request is one of the first K to its
   * path; true when it did.
   */
  injectFailure(routed: RoutedRequest, settings: StreamSettings, writeError: ErrorWriter): boolean {
    const { failFirst, failStatus = 503, retryAfterSec = 1 } = settings.faults;
    if (!this.failures.shouldFail(routed.url.pathname, failFirst)) return false;
    writeError(routed.res, failStatus, 'injected_failure', `demo hub: injected ${failStatus} (failFirst)`, {
      'Retry-After': String(retryAfterSec),
    });
    return true;
  }

  /** Opens an SSE response and pumps `source` into it until the source ends or the client leaves. */
  streamSse(
    routed: RoutedRequest,
    settings: StreamSettings,
    source: FrameSource,
    headers?: Record<string, string>,
  ): void {
    const { faults } = settings;
    const sink = new SseSink(routed.req, routed.res, {
      eol: faults.eol ?? 'lf',
      split: faults.split === true,
      keepAliveMs: faults.keepAliveMs,
      retryMs: faults.sseRetryMs,
      random: new SeededRandom(deriveSeed(settings.seed, `split ${routed.url.pathname}`)),
      headers,
    });
    sink.open();
    new StreamPump(source, sink, faults).start();
  }
}
