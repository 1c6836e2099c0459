/**
 * A fetch stand-in for unit tests: serves scripted responses whose bodies are streamed in
 * the given chunks, honours the abort signal, and records the requests.
 */

/** One scripted response. */
export interface StubResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Body chunks, as text (UTF-8) or bytes. */
  chunks?: (string | Uint8Array)[];
  /** Keep the body open after the chunks (until aborted). */
  hang?: boolean;
}

/** A request the stub received. */
export interface StubRequest {
  url: string;
  headers: Headers;
}

/** A fetch that answers request i with `responses[i]` (the last one again after that). */
export function stubFetch(responses: StubResponse[]): { fetch: typeof fetch; requests: StubRequest[] } {
  const requests: StubRequest[] = [];
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    requests.push({ url, headers: new Headers(init?.headers) });
    const spec = responses[Math.min(requests.length - 1, responses.length - 1)] ?? {};
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of spec.chunks ?? []) {
          controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        }
        if (!spec.hang) {
          controller.close();
          return;
        }
        signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')), {
          once: true,
        });
      },
    });
    const status = spec.status ?? 200;
    const nullBody = status === 204 || status === 304;
    return Promise.resolve(
      new Response(nullBody ? null : body, {
        status,
        headers: { 'Content-Type': 'text/event-stream', ...spec.headers },
      }),
    );
  };
  return { fetch: fake, requests };
}
