import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { backendAiHeaders, openStream, sleep, takeEvents, type StreamingResponse } from './support';

let hub: DemoHub;
const botAuth = (): Record<string, string> => ({ Authorization: `Bearer ${hub.credentials.botHubToken}` });
const bots = (query: string): string => `${hub.url}/bot-hub/events?${query}`;
const evo = (query: string): string => `${hub.url}/evoclaw/api/logs/stream?${query}`;

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, rate: 1000, pingIntervalMs: 40 });
});
afterAll(() => hub.close());

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('the demo hub stream faults', () => {
  it('dropAfter=N sends N events, then half a frame, then cuts the connection', async () => {
    const response = await openStream(bots('dropAfter=3'), { headers: botAuth() });
    await response.finished();
    expect(response.outcome).toBe('error');
    expect(response.events).toHaveLength(3);
    const frames = response.body.split('\n\n');
    const partial = frames.at(-1) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.startsWith('event: ')).toBe(true);
  });

  it('stallAfter=N sends N events and then nothing, keep-alives included, while the connection stays open', async () => {
    const response = await openStream(bots('stallAfter=2&keepAliveMs=20'), { headers: botAuth() });
    await response.untilEvents(2);
    const bytesAtStall = response.bytes().length;
    await sleep(250);
    response.close();
    expect(response.events).toHaveLength(2);
    expect(response.bytes().length).toBe(bytesAtStall);
    expect(response.outcome).toBe('open');
  });

  it('endAfter=N ends the response cleanly after N events', async () => {
    const response = await openStream(evo('endAfter=5'));
    await response.finished();
    expect(response.outcome).toBe('end');
    expect(response.events).toHaveLength(5);
  });

  it.each([429, 500, 503])(
    'failFirst=2&failStatus=%i answers the first two requests to a path with Retry-After, then succeeds',
    async (status) => {
      const path = `${hub.url}/evoclaw/api/logs/stream?failFirst=2&failStatus=${status}&retryAfter=7`;
      // Each status gets a fresh hub: the count is per path and lives as long as the hub.
      const own = await startDemoHub({ port: 0, rate: 1000 });
      try {
        const url = path.replace(hub.url, own.url);
        for (let attempt = 1; attempt <= 2; attempt++) {
          const failed = await fetch(url);
          expect(failed.status).toBe(status);
          expect(failed.headers.get('retry-after')).toBe('7');
          await failed.body?.cancel();
        }
        // Another path keeps its own count.
        const other = await fetch(`${own.url}/bot-hub/api/bots/bot-1`, { headers: botAuth() });
        expect(other.status).toBe(200);
        await other.body?.cancel();
        const events = await takeEvents(url, 3);
        expect(events).toHaveLength(3);
      } finally {
        await own.close();
      }
    },
  );

  it('malformedEvery=N makes every Nth payload invalid JSON and leaves the others intact', async () => {
    const events = await takeEvents(bots('malformedEvery=3'), 12, botAuth());
    events.forEach((event, i) => {
      expect(isJson(event.data)).toBe((i + 1) % 3 !== 0);
    });
    expect(events[2]?.event).toBeTruthy();
  });

  it('keepAliveMs=M sends ": keep-alive" comments every M ms', async () => {
    const response = await openStream(evo('rate=0.01&keepAliveMs=20'));
    await response.until((r) => r.parser.comments.length >= 4, 2000, '4 keep-alive comments');
    response.close();
    expect(new Set(response.parser.comments)).toEqual(new Set(['keep-alive']));
    expect(response.body).toContain(': keep-alive\n\n');
  });

  it('eol=crlf and eol=cr change only the line endings', async () => {
    const lf = await openStream(bots('seed=4'), { headers: botAuth() });
    const crlf = await openStream(bots('seed=4&eol=crlf'), { headers: botAuth() });
    const cr = await openStream(bots('seed=4&eol=cr'), { headers: botAuth() });
    const alias = await openStream(bots('seed=4&crlf=1'), { headers: botAuth() });
    for (const response of [lf, crlf, cr, alias]) await response.untilEvents(20);
    for (const response of [lf, crlf, cr, alias]) response.close();
    expect(crlf.body).toContain('\r\n\r\n');
    expect(crlf.body.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(alias.body).toContain('\r\n\r\n');
    expect(cr.body).not.toContain('\n');
    expect(cr.body).toContain('\r\r');
    const strip = (r: StreamingResponse): unknown =>
      r.events
        .slice(0, 20)
        .map((e) => [
          e.event,
          e.data.replace(/"(timestamp_ms|updated_at_ms|session_started_at_ms)":\d+/g, ''),
        ]);
    expect(strip(crlf)).toEqual(strip(lf));
    expect(strip(cr)).toEqual(strip(lf));
  });

  it('split=1 writes frames in many small pieces, some cutting a UTF-8 character in two', async () => {
    const split = await openStream(bots('seed=5&rate=200&split=1'), { headers: botAuth() });
    const whole = await openStream(bots('seed=5&rate=200'), { headers: botAuth() });
    await split.untilEvents(30);
    await whole.untilEvents(30);
    split.close();
    whole.close();
    expect(split.chunks.length).toBeGreaterThan(split.events.length * 3);
    // A chunk that ends inside a multi-byte character is not valid UTF-8 on its own.
    const cutsInsideCharacters = split.chunks.filter((chunk) => {
      const last = chunk.subarray(-3);
      return [...last].some(
        (byte, i) => byte >= 0xc0 && last.length - i < (byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2),
      );
    });
    expect(cutsInsideCharacters.length).toBeGreaterThan(0);
    const strip = (r: StreamingResponse): unknown =>
      r.events
        .slice(0, 30)
        .map((e) => [
          e.event,
          e.data.replace(/"(timestamp_ms|updated_at_ms|session_started_at_ms)":\d+/g, ''),
        ]);
    expect(strip(split)).toEqual(strip(whole));
  });

  it('hugeBytes=N makes one event about N bytes long and the stream goes on', async () => {
    const size = 10 * 1024 * 1024;
    const events = await takeEvents(bots(`hugeBytes=${size}`), 4, botAuth(), 20_000);
    expect(events[0]!.data.length).toBeLessThan(2000);
    const huge = events[1]!;
    expect(Buffer.byteLength(huge.data)).toBeGreaterThanOrEqual(size - 100);
    expect(Buffer.byteLength(huge.data)).toBeLessThanOrEqual(size + 2000);
    expect((JSON.parse(huge.data) as { padding: string }).padding.length).toBeGreaterThan(size - 2000);
    expect(isJson(events[2]!.data)).toBe(true);
    expect(events[2]!.data.length).toBeLessThan(2000);
  });

  it('retry=MS sends an SSE retry field before the first event', async () => {
    const response = await openStream(evo('retry=1500'));
    await response.untilEvents(1);
    response.close();
    expect(response.body.startsWith('retry: 1500\n\n')).toBe(true);
    expect(response.parser.retry).toBe(1500);
  });

  it('answers 400 naming the knob for a bad knob value, as problem+json on Backend.AI', async () => {
    const bad = await fetch(evo('rate=fast'));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/rate/);
    const badStatus = await fetch(evo('failFirst=1&failStatus=418'));
    expect(badStatus.status).toBe(400);
    await badStatus.body?.cancel();
    const path = '/backendai/events/session?eol=lf2';
    const { accessKey, secretKey } = hub.credentials.backendAi;
    const headers = backendAiHeaders({
      pathWithQuery: path,
      host: new URL(hub.url).host,
      accessKey,
      secretKey,
    });
    const problem = await fetch(`${hub.url}${path}`, { headers });
    expect(problem.status).toBe(400);
    expect(problem.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.stringify(await problem.json())).toMatch(/eol/);
  });

  it('applies faults given to startDemoHub to every stream', async () => {
    const faulty = await startDemoHub({ port: 0, rate: 1000, faults: { endAfter: 2, eol: 'crlf' } });
    try {
      for (const url of [`${faulty.url}/bot-hub/events`, `${faulty.url}/evoclaw/api/logs/stream`]) {
        const response = await openStream(url, { headers: botAuth() });
        await response.finished();
        expect(response.outcome).toBe('end');
        expect(response.events).toHaveLength(2);
        expect(response.body).toContain('\r\n');
      }
    } finally {
      await faulty.close();
    }
  });
});

describe('the demo hub WebSocket faults', () => {
  const ws = (query: string): WebSocket =>
    new WebSocket(`${hub.url.replace(/^http/, 'ws')}/protocube/api/events/ws?${query}`, {
      headers: { Authorization: `Bearer ${hub.credentials.protocubeToken}` },
    });

  function closing(socket: WebSocket): Promise<{ code: number; messages: string[] }> {
    const messages: string[] = [];
    socket.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
    return new Promise((resolve) => socket.on('close', (code) => resolve({ code, messages })));
  }

  it('dropAfter=N closes without a close frame after N messages: the client sees 1006', async () => {
    const socket = ws('dropAfter=2');
    socket.on('error', () => undefined);
    const { code, messages } = await closing(socket);
    expect(code).toBe(1006);
    expect(messages).toHaveLength(2);
  });

  it('endAfter=N&closeCode=C closes cleanly with code C after N messages', async () => {
    const { code, messages } = await closing(ws('endAfter=3&closeCode=4001'));
    expect(code).toBe(4001);
    expect(messages).toHaveLength(3);
  });

  it('malformedEvery=N sends every Nth message as invalid JSON', async () => {
    const { messages } = await closing(ws('endAfter=6&malformedEvery=2'));
    expect(messages.map(isJson)).toEqual([true, false, true, false, true, false]);
  });

  it('pings every pingMs by default and never with noPing=1', async () => {
    const count = async (query: string): Promise<number> => {
      const socket = ws(query);
      let pings = 0;
      socket.on('ping', () => (pings += 1));
      await new Promise((resolve) => socket.on('open', resolve));
      await sleep(300);
      socket.close();
      return pings;
    };
    expect(await count('rate=1')).toBeGreaterThanOrEqual(4);
    expect(await count('rate=1&noPing=1')).toBe(0);
  });

  it("answers the client's pings, but not with noPong=1", async () => {
    const pongWithin = async (query: string): Promise<boolean> => {
      const socket = ws(query);
      await new Promise((resolve) => socket.on('open', resolve));
      const pong = new Promise<boolean>((resolve) => {
        socket.once('pong', () => resolve(true));
        setTimeout(() => resolve(false), 300);
      });
      socket.ping();
      const answered = await pong;
      socket.close();
      return answered;
    };
    expect(await pongWithin('rate=1')).toBe(true);
    expect(await pongWithin('rate=1&noPong=1')).toBe(false);
  });

  it('stallAfter=N stops messages and pings but keeps the socket open', async () => {
    const socket = ws('stallAfter=2&pingMs=20');
    const messages: string[] = [];
    let pingsAfterStall = 0;
    socket.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
    await new Promise((resolve) => socket.on('open', resolve));
    await sleep(60);
    socket.on('ping', () => (pingsAfterStall += 1));
    await sleep(200);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
    expect(messages).toHaveLength(2);
    expect(pingsAfterStall).toBe(0);
  });

  it('failFirst=1 rejects the first upgrade with its status and Retry-After, then accepts', async () => {
    const own = await startDemoHub({ port: 0, rate: 100 });
    try {
      const url = `${own.url.replace(/^http/, 'ws')}/protocube/api/events/ws?failFirst=1&failStatus=503&retryAfter=2`;
      const headers = { Authorization: `Bearer ${own.credentials.protocubeToken}` };
      const first = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve) => {
        const socket = new WebSocket(url, { headers });
        socket.on('error', () => undefined);
        socket.on('unexpected-response', (_req, res) => {
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
          res.resume();
        });
      });
      expect(first).toEqual({ status: 503, retryAfter: '2' });
      const second = new WebSocket(url, { headers });
      await new Promise((resolve, reject) => {
        second.on('open', resolve);
        second.on('error', reject);
      });
      second.close();
    } finally {
      await own.close();
    }
  });
});
