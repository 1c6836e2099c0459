import { describe, expect, it } from 'vitest';
import { connectionHarness, FAST } from '../../support/connection-harness';
import type { HttpHandler } from '../../support/sse-test-server';
import { delay, sseHead, waitFor } from '../../support/sse-test-server';

/** Reconnects within a few ms and without jitter, so tests run on real timers quickly. */
const { server, plan, connect } = connectionHarness('sse');

/** Serves `bodies[i]` on request i (the last one again after that), then ends the response. */
function serveInTurn(bodies: string[]): HttpHandler {
  return (_req, res, index) => {
    sseHead(res);
    res.end(bodies[Math.min(index, bodies.length - 1)]);
  };
}

describe('SSE requests', () => {
  it('sends Accept, Cache-Control and the plan headers', async () => {
    const hub = await server(serveInTurn(['data: a\n\n']));
    const { listener } = connect(
      plan(`${hub.url}/events`, {}, { Authorization: 'Bearer t0k', 'X-Team': 'ops' }),
    );
    await waitFor(() => listener.frames.length > 0, 'a frame');
    const headers = hub.requests[0]!.headers;
    expect(headers.accept).toBe('text/event-stream');
    expect(headers['cache-control']).toBe('no-cache');
    expect(headers.authorization).toBe('Bearer t0k');
    expect(headers['x-team']).toBe('ops');
    expect(headers['last-event-id']).toBeUndefined();
  });

  it('reports connecting, then open via sse', async () => {
    const hub = await server((_req, res) => sseHead(res));
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.has('open'), 'open');
    expect(listener.states[0]).toEqual({ state: 'connecting', attempt: 0 });
    expect(listener.states[1]).toMatchObject({ state: 'open', via: 'sse' });
  });
});

describe('SSE resume', () => {
  it('resumes with Last-Event-ID and skips the events the server sends again', async () => {
    const hub = await server(
      serveInTurn([
        'id: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: three\n\n',
        'id: 2\ndata: two\n\nid: 3\ndata: three\n\nid: 4\ndata: four\n\n',
        '',
      ]),
    );
    const { connection, listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length >= 4, 'four frames');
    await waitFor(() => hub.requests.length >= 3, 'a third request');
    expect(listener.data).toEqual(['one', 'two', 'three', 'four']);
    expect(hub.requests[1]!.lastEventId).toBe('3');
    expect(hub.requests[2]!.lastEventId).toBe('4');
    expect(connection.stats().duplicatesSkipped).toBe(2);
    expect(listener.gaps).toEqual([]);
  });

  it('skips re-sent events by their ids when the ids are not increasing integers', async () => {
    const hub = await server(
      serveInTurn(['id: b\ndata: B\n\nid: a\ndata: A\n\n', 'id: a\ndata: A\n\nid: c\ndata: C\n\n', '']),
    );
    const { connection, listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 3, 'a third request');
    expect(listener.data).toEqual(['B', 'A', 'C']);
    expect(connection.stats().duplicatesSkipped).toBe(1);
  });

  it('sends a non-ASCII last event id as its UTF-8 bytes', async () => {
    const id = 'é-中-😀';
    const hub = await server(serveInTurn([`id: ${id}\ndata: x\n\n`, '']));
    const { listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 2, 'a reconnect');
    expect(listener.frames[0]!.id).toBe(id);
    expect(hub.requests[1]!.lastEventId).toBe(id);
    // The raw bytes on the wire are exactly the UTF-8 encoding.
    const raw = hub.requests[1]!.headers['last-event-id'] as string;
    expect(Buffer.from(raw, 'latin1')).toEqual(Buffer.from(id, 'utf8'));
  });

  it('keeps the last event id across events without an id and updates it from a block without data', async () => {
    const hub = await server(serveInTurn(['id: 7\ndata: a\n\ndata: b\n\nid: 9\n\ndata: c\n\n', '']));
    const { listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 2, 'a reconnect');
    expect(listener.frames.map((frame) => frame.id)).toEqual(['7', '7', '9']);
    expect(hub.requests[1]!.lastEventId).toBe('9');
  });

  it('ignores an id containing NUL and clears the id on an empty id field', async () => {
    const hub = await server(serveInTurn(['id: 5\ndata: a\n\nid: 6\0x\ndata: b\n\n', 'id\ndata: c\n\n', '']));
    const { listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 3, 'two reconnects');
    expect(listener.frames.map((frame) => frame.id)).toEqual(['5', '5', null]);
    expect(hub.requests[1]!.lastEventId).toBe('5');
    expect(hub.requests[2]!.headers['last-event-id']).toBeUndefined();
  });
});

describe('SSE reconnect timing', () => {
  it('never reconnects sooner than the server’s retry: field', async () => {
    let closedAt = 0;
    const hub = await server((_req, res, index) => {
      sseHead(res);
      if (index === 0) {
        res.end('retry: 300\ndata: a\n\n', () => {
          closedAt = performance.now();
        });
      } else res.end();
    });
    const { listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 2, 'a reconnect');
    expect(listener.last('reconnecting')!.delayMs).toBeGreaterThanOrEqual(300);
    expect(hub.requests[1]!.at - closedAt).toBeGreaterThanOrEqual(290);
  });

  it('adds jitter on top of the retry: floor rather than within it', async () => {
    const hub = await server(serveInTurn(['retry: 50\ndata: a\n\n', '']));
    const { listener } = connect(plan(hub.url), { backoffBaseMs: 100, backoffCapMs: 100, random: () => 0.5 });
    await waitFor(() => listener.has('reconnecting'), 'a reconnect');
    expect(listener.last('reconnecting')!.delayMs).toBe(100);
  });

  it('honours Retry-After in seconds on a 503', async () => {
    const hub = await server((_req, res) => res.writeHead(503, { 'Retry-After': '2' }).end());
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.has('reconnecting'), 'reconnecting');
    const state = listener.last('reconnecting')!;
    expect(state.delayMs).toBeGreaterThanOrEqual(2000);
    expect(state.reason).toBe('HTTP 503 Service Unavailable');
    expect(hub.requests).toHaveLength(1);
  });

  it('honours Retry-After as an HTTP date on a 429', async () => {
    const hub = await server((_req, res) =>
      res.writeHead(429, { 'Retry-After': new Date(Date.now() + 3000).toUTCString() }).end(),
    );
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.has('reconnecting'), 'reconnecting');
    // The date has one-second resolution: at least two of the three seconds remain.
    expect(listener.last('reconnecting')!.delayMs).toBeGreaterThanOrEqual(1900);
    expect(listener.last('reconnecting')!.reason).toContain('429');
  });

  it('retries a 500 and recovers', async () => {
    const hub = await server((_req, res, index) => {
      if (index === 0) res.writeHead(500).end();
      else {
        sseHead(res);
        res.write('data: back\n\n');
      }
    });
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length > 0, 'a frame');
    expect(listener.stateNames).toEqual(['connecting', 'reconnecting', 'connecting', 'open']);
  });

  it('reconnects after a normal end of the body with the reason shown', async () => {
    const hub = await server(serveInTurn(['data: a\n\n', '']));
    const { connection, listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 2, 'a reconnect');
    expect(listener.last('reconnecting')!.reason).toBe('the server closed the stream');
    expect(connection.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('reports a refused connection and keeps retrying', async () => {
    const hub = await server(serveInTurn(['']));
    const url = hub.url;
    await hub.close();
    const { listener } = connect(plan(url));
    await waitFor(() => listener.states.filter((s) => s.state === 'reconnecting').length >= 2, 'two retries');
    expect(listener.last('reconnecting')!.reason).toMatch(/^connection refused \(127\.0\.0\.1:\d+\)$/);
  });
});

describe('SSE response rules', () => {
  it('ends with no_content on a 204 and does not reconnect', async () => {
    const hub = await server((_req, res) => res.writeHead(204).end());
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.has('ended'), 'ended');
    expect(listener.last('ended')).toMatchObject({ reason: 'no_content' });
    await delay(50);
    expect(hub.requests).toHaveLength(1);
  });

  it.each([401, 403])('fails as credentials rejected on a %i and does not reconnect', async (status) => {
    const hub = await server((_req, res) => res.writeHead(status).end());
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.has('failed'), 'failed');
    expect(listener.last('failed')).toMatchObject({ reason: 'credentials_rejected' });
    expect(listener.last('failed')!.detail).toContain(String(status));
    await delay(50);
    expect(hub.requests).toHaveLength(1);
  });

  it('fails as not found on a 404 and with the status on other codes', async () => {
    const notFound = await server((_req, res) => res.writeHead(404).end());
    const gone = await server((_req, res) => res.writeHead(410).end());
    const first = connect(plan(notFound.url)).listener;
    const second = connect(plan(gone.url)).listener;
    await waitFor(() => first.has('failed') && second.has('failed'), 'both failed');
    expect(first.last('failed')).toEqual({
      state: 'failed',
      reason: 'not_found',
      detail: 'HTTP 404 Not Found',
    });
    expect(second.last('failed')).toEqual({ state: 'failed', reason: 'http_error', detail: 'HTTP 410 Gone' });
  });

  it('lets the plan classify a status before the default rules', async () => {
    const hub = await server((_req, res) => res.writeHead(404).end());
    const { listener } = connect(
      plan(hub.url, {
        classifyStatus: (status) =>
          status === 404
            ? { state: 'ended', reason: 'task_expired', detail: 'task finished or expired' }
            : undefined,
      }),
    );
    await waitFor(() => listener.has('ended'), 'ended');
    expect(listener.last('ended')).toEqual({
      state: 'ended',
      reason: 'task_expired',
      detail: 'task finished or expired',
    });
  });

  it('fails on a wrong content type with a clear detail', async () => {
    const hub = await server((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>'),
    );
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.has('failed'), 'failed');
    expect(listener.last('failed')).toEqual({
      state: 'failed',
      reason: 'wrong_content_type',
      detail: 'expected text/event-stream, got text/html',
    });
    expect(listener.has('open')).toBe(false);
  });

  it('accepts the event-stream type with parameters or a trailing semicolon', async () => {
    const hub = await server((_req, res, index) => {
      const type = index === 0 ? 'text/event-stream; charset=utf-8' : 'Text/Event-Stream;';
      res.writeHead(200, { 'Content-Type': type }).end(`data: ${index}\n\n`);
    });
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length >= 2, 'two frames');
    expect(listener.data.slice(0, 2)).toEqual(['0', '1']);
  });
});

describe('SSE redirects', () => {
  it('keeps credentials on a same-origin redirect', async () => {
    const hub = await server((req, res) => {
      if (req.url === '/old') res.writeHead(307, { Location: '/new' }).end();
      else {
        sseHead(res);
        res.write('data: here\n\n');
      }
    });
    const { listener } = connect(
      plan(`${hub.url}/old`, { transport: 'sse' }, { Authorization: 'Bearer same', 'X-API-Key': 'k1' }),
    );
    await waitFor(() => listener.frames.length > 0, 'a frame');
    expect(hub.requests[1]!.url).toBe('/new');
    expect(hub.requests[1]!.headers.authorization).toBe('Bearer same');
    expect(hub.requests[1]!.headers['x-api-key']).toBe('k1');
  });

  it('drops credentials, cookies and the hub’s auth header on a redirect to another origin', async () => {
    const target = await server((_req, res) => {
      sseHead(res);
      res.write('data: elsewhere\n\n');
    });
    const origin = await server((_req, res) =>
      res.writeHead(302, { Location: `${target.url}/stream` }).end(),
    );
    const { listener } = connect({
      transport: 'sse',
      silenceTimeoutMs: 0,
      prepare: () =>
        Promise.resolve({
          url: `${origin.url}/events`,
          headers: {
            Authorization: 'Bearer x',
            'X-Hub-Secret-Thing': 's',
            Cookie: 'a=b',
            Custom: 'c',
            'X-Team': 'ops',
          },
          credentialHeaders: ['Custom'],
        }),
    });
    await waitFor(() => listener.frames.length > 0, 'a frame');
    const headers = target.requests[0]!.headers;
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers.custom).toBeUndefined();
    expect(headers['x-hub-secret-thing']).toBeUndefined();
    expect(headers['x-team']).toBe('ops');
    expect(headers.accept).toBe('text/event-stream');
  });

  it('fails after more than ten redirects', async () => {
    const hub = await server((_req, res) => res.writeHead(302, { Location: '/again' }).end());
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.has('failed'), 'failed');
    expect(listener.last('failed')!.detail).toBe('more than 10 redirects');
    expect(hub.requests).toHaveLength(11);
  });
});

describe('SSE parsing', () => {
  it('drops one leading BOM and no more', async () => {
    const hub = await server((_req, res, index) => {
      sseHead(res);
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      if (index === 0) res.end(Buffer.concat([bom, Buffer.from('data: first\n\n')]));
      else if (index === 1) res.end(Buffer.concat([bom, bom, Buffer.from('data: lost\n\ndata: second\n\n')]));
      else res.end();
    });
    const { listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 3, 'three requests');
    // With two BOMs the first line is the field "\uFEFFdata", which is ignored.
    expect(listener.data).toEqual(['first', 'second']);
  });

  it('accepts CR, LF and CRLF line endings, mixed', async () => {
    const hub = await server(
      serveInTurn(['data: cr\r\rdata: lf\n\ndata: crlf\r\n\r\nevent: e\r\ndata: a\rdata: b\n\r\n']),
    );
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length >= 4, 'four frames');
    expect(listener.data.slice(0, 4)).toEqual(['cr', 'lf', 'crlf', 'a\nb']);
    expect(listener.frames[3]!.event).toBe('e');
  });

  it('decodes a UTF-8 character split across chunks', async () => {
    const bytes = Buffer.from('data: 日本😀\n\n', 'utf8');
    const hub = await server((_req, res) => {
      sseHead(res);
      // Cut inside the three-byte 日 and the four-byte 😀.
      const cuts = [7, 13, 15, bytes.length];
      let from = 0;
      const next = (i: number): void => {
        if (i >= cuts.length) return;
        res.write(bytes.subarray(from, cuts[i]), () => {
          from = cuts[i]!;
          setTimeout(() => next(i + 1), 15);
        });
      };
      next(0);
    });
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length > 0, 'a frame');
    expect(listener.data[0]).toBe('日本😀');
  });

  it('drops a truncated final event at the end of the stream', async () => {
    const hub = await server(serveInTurn(['data: whole\n\ndata: truncated\n', '']));
    const { listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 2, 'a reconnect');
    expect(listener.data).toEqual(['whole']);
  });

  it('leaves the event name null by default, resets it on an empty event field, and joins data lines', async () => {
    const hub = await server(
      serveInTurn([': a comment\ndata: a\n\nevent: log\ndata: b\ndata: c\n\nevent:\ndata: d\n\n']),
    );
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length >= 3, 'three frames');
    expect(listener.frames.slice(0, 3).map((f) => [f.event, f.data])).toEqual([
      [null, 'a'],
      ['log', 'b\nc'],
      [null, 'd'],
    ]);
    expect(listener.frames[0]!.via).toBe('sse');
  });

  it('delivers a 10 MB line', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const hub = await server((_req, res) => {
      sseHead(res);
      res.write(`data: ${big}\n\ndata: after\n\n`);
    });
    const { connection, listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length >= 2, 'two frames', 15_000);
    expect(listener.frames[0]!.data.length).toBe(big.length);
    expect(listener.data[1]).toBe('after');
    expect(connection.stats().bytes).toBeGreaterThan(big.length);
  });

  it('aborts the attempt with a clear reason when an event exceeds the limit', async () => {
    const hub = await server((_req, res, index) => {
      sseHead(res);
      res.write(index === 0 ? `data: ${'y'.repeat(5000)}\n` : 'data: small\n\n');
    });
    const { listener } = connect(plan(hub.url), { ...FAST, maxEventSize: 1024 });
    await waitFor(() => listener.frames.length > 0, 'a frame after reconnecting');
    expect(listener.states.find((s) => s.state === 'reconnecting')).toMatchObject({
      reason: expect.stringContaining('exceeded') as unknown,
    });
    expect(listener.data).toEqual(['small']);
  });
});

describe('SSE stream end and watchdog', () => {
  it('ends when the plan says a frame ends the stream, without delivering later frames', async () => {
    const hub = await server((_req, res) => {
      sseHead(res);
      res.write('event: output\ndata: 1\n\nevent: complete\ndata: 0\n\nevent: output\ndata: late\n\n');
    });
    const { listener } = connect(
      plan(hub.url, {
        endsStream: (frame) =>
          frame.event === 'complete' ? { reason: 'completed', detail: 'exit 0' } : null,
      }),
    );
    await waitFor(() => listener.has('ended'), 'ended');
    expect(listener.data).toEqual(['1', '0']);
    expect(listener.last('ended')).toEqual({ state: 'ended', reason: 'completed', detail: 'exit 0' });
    await delay(50);
    expect(hub.requests).toHaveLength(1);
  });

  it('reconnects when the stream stalls longer than the silence timeout', async () => {
    const hub = await server((_req, res, index) => {
      sseHead(res);
      res.write(`data: ${index}\n\n`);
    });
    const { listener } = connect(plan(hub.url, { silenceTimeoutMs: 150 }));
    await waitFor(() => hub.requests.length >= 2, 'a reconnect');
    expect(listener.last('reconnecting')!.reason).toBe('no data for 0.15 s');
  });

  it('keeps a stream whose heartbeats are comments alive', async () => {
    let timer: NodeJS.Timeout | undefined;
    const hub = await server((_req, res) => {
      sseHead(res);
      timer = setInterval(() => res.write(': ping\n\n'), 30);
      res.on('close', () => clearInterval(timer));
    });
    const { listener } = connect(plan(hub.url, { silenceTimeoutMs: 150 }));
    await waitFor(() => listener.has('open'), 'open');
    await delay(500);
    expect(listener.has('reconnecting')).toBe(false);
    expect(hub.requests).toHaveLength(1);
  });
});
