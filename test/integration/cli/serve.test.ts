import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CallResult, PushMessage } from '../../../src/shared/api';
import type { ServerMessage } from '../../../src/shared/serve-protocol';
import { BIN, ROOT } from '../../support/cli';

let child: ChildProcess;
let openUrl: URL;
let cookie: string;
let stderr = '';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: openUrl.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, (result: CallResult<unknown>) => void>();
  readonly pushes: PushMessage[] = [];
  readonly raw: string[] = [];
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.raw.push(text);
      const message = JSON.parse(text) as ServerMessage;
      if (message.type === 'result') this.pending.get(message.id)?.(message.result);
      else this.pushes.push(...message.batch);
    });
  }
  call(name: string, request: unknown): Promise<CallResult<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ type: 'call', id, name, request }));
    });
  }
}

/** Sends `text` as is on a fresh TCP connection; resolves with all the server wrote before closing. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(openUrl.port), '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

/** A well-formed request head for `raw`, with `lines` as its header fields. */
function head(target: string, lines: string[]): string {
  return `GET ${target} HTTP/1.1\r\n${lines.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n`;
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

function connect(headers: Record<string, string>): Promise<ApiClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${openUrl.port}/api`, { headers });
    socket.once('open', () => resolve(new ApiClient(socket)));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--demo'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /Hubwatch UI: (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  openUrl = new URL(line);
  const first = await get(`/?token=${openUrl.searchParams.get('token')}`);
  cookie = String(first.headers['set-cookie']).split(';')[0]!;
}, 30_000);

afterAll(async () => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});

describe('hubwatch serve', () => {
  it('listens on loopback and prints a URL carrying its token', () => {
    expect(openUrl.hostname).toBe('127.0.0.1');
    expect(openUrl.searchParams.get('token')!.length).toBeGreaterThanOrEqual(24);
  });

  it('refuses every request without the token, static pages included', async () => {
    for (const path of [
      '/',
      '/index.html',
      '/favicon.svg',
      '/assets/whatever.js',
      '/api',
      '/exports/abc/file.ndjson',
    ]) {
      expect((await get(path)).status, path).toBe(401);
    }
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/', { Cookie: 'hubwatch_token=wrong' })).status).toBe(401);
  });

  it('trades the token in the URL for an HttpOnly cookie and serves the UI with a strict CSP', async () => {
    const first = await get(`/?token=${openUrl.searchParams.get('token')}`);
    expect(first.status).toBe(303);
    expect(first.headers['location']).toBe('/');
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await get('/', { Cookie: cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="app">');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    expect((await get('/', { Cookie: cookie, Host: 'evil.example:80' })).status).toBe(403);
  });

  it('refuses the API socket without the token or from another origin', async () => {
    await expect(connect({})).rejects.toThrow(/401/);
    await expect(connect({ Cookie: cookie, Origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('refuses an API socket from an opaque origin (Origin: null, a sandboxed iframe) and keeps running', async () => {
    await expect(connect({ Cookie: cookie, Origin: 'null' })).rejects.toThrow(/403/);
    await expect(connect({ Origin: 'null' })).rejects.toThrow(/403/);
    expect(child.exitCode).toBeNull();
    expect((await get('/', { Cookie: cookie })).status).toBe(200);
  });

  it('counts an undecodable token cookie as no token, whoever else set cookies on this host', async () => {
    expect((await get('/', { Cookie: 'hubwatch_token=%E0%A4%A' })).status).toBe(401);
    expect((await get('/', { Cookie: `other=%E0%A4%A; ${cookie}` })).status).toBe(200);
    // Cookies are not kept apart by port: another local app's cookie of the same name can come first.
    expect((await get('/', { Cookie: `hubwatch_token=%E0%A4%A; ${cookie}` })).status).toBe(200);
    expect(child.exitCode).toBeNull();
  });

  it('refuses request targets that are not a plain path with 400, token or not', async () => {
    const host = `Host: 127.0.0.1:${openUrl.port}`;
    for (const target of [`http://127.0.0.1:${openUrl.port}/`, 'http://[::1', '*', 'evil.example:443']) {
      expect(statusOf(await raw(head(target, [host]))), target).toBe(400);
      expect(statusOf(await raw(head(target, [host, `Cookie: ${cookie}`]))), target).toBe(400);
    }
    expect(child.exitCode).toBeNull();
  });

  it('reads a target starting with two slashes as a path, never as another host', async () => {
    const host = `Host: 127.0.0.1:${openUrl.port}`;
    expect(statusOf(await raw(head('//', [host])))).toBe(401);
    expect(statusOf(await raw(head('//evil.example/', [host, `Cookie: ${cookie}`])))).toBe(404);
    const traded = await raw(head(`//evil.example/x?token=${openUrl.searchParams.get('token')}`, [host]));
    expect(statusOf(traded)).toBe(303);
    expect(traded).toMatch(/\r\nLocation: \/evil\.example\/x\r\n/);
    expect(child.exitCode).toBeNull();
  });

  it('refuses a request with two Host headers with 400', async () => {
    const host = `Host: 127.0.0.1:${openUrl.port}`;
    expect(statusOf(await raw(head('/', [host, host, `Cookie: ${cookie}`])))).toBe(400);
    expect(statusOf(await raw(head('/', [host, 'Host: evil.example', `Cookie: ${cookie}`])))).toBe(400);
    expect(statusOf(await raw(head('/api', [host, 'Host: evil.example', `Cookie: ${cookie}`])))).toBe(400);
  });

  it('answers a request it cannot parse with 400, and 60 KB of headers with 431, and closes the connection', async () => {
    const host = `Host: 127.0.0.1:${openUrl.port}`;
    expect(statusOf(await raw(`GET / HTTP/1.1\r\n${host}\r\nX-No-Colon\r\n\r\n`))).toBe(400);
    expect(statusOf(await raw(`\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03`))).toBe(400);
    expect(statusOf(await raw(head('/', [host, `X-Big: ${'b'.repeat(60_000)}`])))).toBe(431);
    expect(child.exitCode).toBeNull();
  });

  it('invites no request body without the token: Expect: 100-continue gets the 401 alone', async () => {
    const response = await raw(head('/', [`Host: 127.0.0.1:${openUrl.port}`, 'Expect: 100-continue']));
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).not.toMatch(/100 Continue/);
  });

  it('serves an export under any well-encoded name, and refuses a name that is not valid percent-encoding with 400', async () => {
    const client = await connect({ Cookie: cookie });
    const started = (await client.call('export.start', { format: 'ndjson', filter: { hubs: ['evo'] } })) as {
      ok: true;
      value: { exportId: string };
    };
    expect(started.ok).toBe(true);
    const deadline = Date.now() + 15_000;
    let downloadUrl: string | null = null;
    while (!downloadUrl && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      for (const push of client.pushes) {
        if (push.name === 'export' && push.payload.exportId === started.value.exportId)
          downloadUrl = push.payload.downloadUrl;
      }
    }
    client.socket.close();
    expect(downloadUrl).toMatch(/^\/exports\/[0-9a-f]+\/.+\.ndjson$/);
    const folder = downloadUrl!.replace(/[^/]+$/, '');
    const renamed = await get(`${folder}%E2%98%83%20%22quoted%22.ndjson`, { Cookie: cookie });
    expect(renamed.status).toBe(200);
    expect(renamed.headers['content-disposition']).toBe(
      `attachment; filename="_ _quoted_.ndjson"; filename*=UTF-8''%E2%98%83%20%22quoted%22.ndjson`,
    );
    expect(renamed.body).toMatch(/"hub":"evo"/);
    expect((await get(`${folder}%E0%A4%A.ndjson`, { Cookie: cookie })).status).toBe(400);
    expect((await get('/exports/0123abcd/%E0%A4%A.ndjson', { Cookie: cookie })).status).toBe(400);
    expect(child.exitCode).toBeNull();
    expect((await get('/', { Cookie: cookie })).status).toBe(200);
  });

  it('answers API calls and pushes live rows of the demo hubs', async () => {
    const client = await connect({ Cookie: cookie, Origin: `http://127.0.0.1:${openUrl.port}` });
    const info = await client.call('app.info', null);
    expect(info).toMatchObject({ ok: true, value: { mode: 'browser', demoRunning: true } });
    const hubs = (await client.call('hubs.list', null)) as { ok: true; value: { id: string }[] };
    expect(hubs.value.map((hub) => hub.id)).toEqual(
      expect.arrayContaining(['bots', 'cube', 'evo', 'build', 'bai']),
    );
    const opened = (await client.call('view.open', { filter: { hubs: ['evo'] } })) as {
      ok: true;
      value: { viewId: string };
    };
    expect(opened.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 2500));
    const updates = client.pushes.filter((push) => push.name === 'view');
    expect(updates.length).toBeGreaterThan(0);
    const rows = (await client.call('view.rows', { viewId: opened.value.viewId, start: 0, count: 5 })) as {
      ok: true;
      value: { rows: { hub: string }[] };
    };
    expect(rows.value.rows.length).toBeGreaterThan(0);
    expect(rows.value.rows.every((row) => row.hub === 'evo')).toBe(true);
    client.socket.close();
  });

  it('rejects a malformed payload with an error naming the field', async () => {
    const client = await connect({ Cookie: cookie });
    expect(await client.call('view.rows', { viewId: 'v1', start: -1, count: 5 })).toMatchObject({
      ok: false,
      error: { field: 'start' },
    });
    expect(await client.call('no.such.call', null)).toMatchObject({
      ok: false,
      error: { message: /unknown call/ },
    });
    expect(await client.call('view.open', { filter: { regex: '(' } })).toMatchObject({
      ok: false,
      error: { field: 'regex' },
    });
    client.socket.close();
  });

  it('never sends a secret typed into the browser back to it', async () => {
    const client = await connect({ Cookie: cookie });
    const secret = 'sk-very-secret-value-1234';
    const saved = await client.call('hubs.save', {
      hub: {
        id: 'private',
        dialect: 'bot-hub',
        url: 'http://127.0.0.1:9/events',
        auth: { type: 'bearer', token: { kind: 'stored', set: false } },
      },
      secrets: { 'auth.token': secret },
    });
    expect(saved).toMatchObject({
      ok: true,
      value: { config: { auth: { type: 'bearer', token: { kind: 'stored', set: true } } } },
    });
    await client.call('hubs.list', null);
    await new Promise((r) => setTimeout(r, 700));
    expect(client.raw.join('\n')).not.toContain(secret);
    await client.call('hubs.remove', { id: 'private' });
    client.socket.close();
  });
});
