/**
 * rdev's plan against a real HTTP server on loopback: the command is started with exactly
 * one POST, every attempt (reconnects included) GETs the same stream with the API key, and
 * the POST's failures stop or retry the hub as documented.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rdevDialect } from '../../../src/main/engine/dialects/rdev';
import type { DialectContext } from '../../../src/main/engine/dialects/types';
import type { HubConfig } from '../../../src/shared/hub-config';

const API_KEY = 'rdev_integration_key';

interface Seen {
  method: string;
  url: string;
  apiKey: string | undefined;
  contentType: string | undefined;
  body: string;
}

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
/** Status codes the next POSTs answer with before succeeding. */
let postFailures: number[] = [];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const apiKey = request.headers['x-api-key'];
  seen.push({
    method: request.method ?? '',
    url: request.url ?? '',
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    contentType: request.headers['content-type'],
    body,
  });
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (apiKey !== API_KEY) {
    response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid api key"}');
    return;
  }
  if (!url.pathname.startsWith('/projects/my-project/')) {
    response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"project not found"}');
    return;
  }
  if (request.method === 'POST' && url.pathname === '/projects/my-project/shell') {
    const failure = postFailures.shift();
    if (failure !== undefined) {
      response.writeHead(failure, { 'Content-Type': 'application/json' }).end('{"error":"try later"}');
      return;
    }
    const { command } = JSON.parse(body) as { command: string };
    response
      .writeHead(201, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ data: { id: 'cmd-42', command } }));
    return;
  }
  if (request.method === 'GET' && url.pathname === '/projects/my-project/events') {
    if (url.searchParams.get('stream_id') !== 'cmd-42') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/event-stream' });
    response.end(
      'event: connected\ndata: {"stream_id":"cmd-42"}\n\n' +
        'id: 1\nevent: output\ndata: {"line":"ok 1 - adds","stream":"stdout"}\n\n' +
        'id: 2\nevent: complete\ndata: {"exit_code":1,"duration_ms":8200}\n\n',
    );
    return;
  }
  response.writeHead(405).end();
}

beforeAll(async () => {
  server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  postFailures = [];
});

function hub(overrides: Partial<HubConfig> = {}): HubConfig {
  return {
    id: 'build',
    dialect: 'rdev',
    url: baseUrl,
    project: 'my-project',
    command: 'npm test',
    ...overrides,
  };
}

function context(key = API_KEY): DialectContext {
  return { auth: { type: 'header', name: 'X-API-Key', value: key }, fetch: globalThis.fetch, now: Date.now };
}

/** The frames of an SSE body, parsed just enough for this test. */
function sseFrames(body: string) {
  return body
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? null;
      return { event: field('event'), id: field('id'), data: field('data') ?? '', receivedAt: Date.now() };
    });
}

describe('rdev plan against a real server', () => {
  it('POSTs the command once and GETs its stream on every attempt with the API key', async () => {
    const { plan, map } = rdevDialect.create(hub(), context());
    const requests = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      requests.push(await plan.prepare({ attempt, lastEventId: attempt === 0 ? null : '1' }));
    }
    const posts = seen.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      url: '/projects/my-project/shell',
      apiKey: API_KEY,
      contentType: 'application/json',
      body: '{"command":"npm test"}',
    });
    for (const request of requests) {
      expect(request.url).toBe(`${baseUrl}/projects/my-project/events?stream_id=cmd-42`);
      expect(request.headers['X-API-Key']).toBe(API_KEY);
    }

    const response = await fetch(requests[2]!.url, { headers: requests[2]!.headers });
    expect(response.status).toBe(200);
    const records = sseFrames(await response.text()).map((frame) => ({
      frame,
      record: map({ ...frame, via: 'sse' }),
    }));
    expect(records.map(({ record }) => [record.event, record.message, record.level])).toEqual([
      ['connected', 'connected to stream cmd-42', 'info'],
      ['output', 'ok 1 - adds', 'info'],
      ['complete', 'exit 1 after 8.2 s', 'error'],
    ]);
    for (const { record } of records) expect(record.entity).toEqual({ type: 'command', id: 'cmd-42' });
    const last = records[2]!.frame;
    expect(plan.endsStream!({ ...last, via: 'sse' })).toEqual({
      reason: 'completed',
      detail: 'exit 1 after 8.2 s',
    });
    expect(seen.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it('follows a configured stream id without POSTing', async () => {
    const { plan } = rdevDialect.create(hub({ command: undefined, streamId: 'cmd-42' }), context());
    const request = await plan.prepare({ attempt: 0, lastEventId: null });
    const response = await fetch(request.url, { headers: request.headers });
    expect(response.status).toBe(200);
    await response.text();
    expect(seen.map((request) => request.method)).toEqual(['GET']);
  });

  it('stops as credentials rejected when the server refuses the API key', async () => {
    const { plan } = rdevDialect.create(hub(), context('wrong'));
    await expect(plan.prepare({ attempt: 0, lastEventId: null })).rejects.toMatchObject({
      name: 'StopError',
      outcome: { state: 'failed', reason: 'credentials_rejected' },
    });
  });

  it('stops as not found for an unknown project', async () => {
    const { plan } = rdevDialect.create(hub({ project: 'nope' }), context());
    await expect(plan.prepare({ attempt: 0, lastEventId: null })).rejects.toMatchObject({
      outcome: { state: 'failed', reason: 'not_found' },
    });
  });

  it('retries after a 503 and then starts the command exactly once', async () => {
    postFailures = [503];
    const { plan } = rdevDialect.create(hub(), context());
    await expect(plan.prepare({ attempt: 0, lastEventId: null })).rejects.not.toHaveProperty('outcome');
    await plan.prepare({ attempt: 1, lastEventId: null });
    await plan.prepare({ attempt: 2, lastEventId: null });
    expect(seen.filter((request) => request.method === 'POST')).toHaveLength(2);
  });

  it('never starts the command for "Test connection"', async () => {
    const { plan } = rdevDialect.create(hub(), context());
    const request = await plan.probePrepare!();
    await (await fetch(request.url, { headers: request.headers })).arrayBuffer();
    expect(seen.map((request) => request.method)).toEqual(['GET']);
  });
});
