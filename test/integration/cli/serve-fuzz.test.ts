/**
 * Property: the built `hubwatch serve` process takes whatever reaches its port before (and
 * after) the token is checked — malformed request lines, Host, Origin and Cookie headers,
 * bad percent-encoding, absolute-form targets, 60 KB headers, half-sent requests, bytes that
 * are not HTTP, WebSocket upgrades with bad versions and keys, invalid frames, oversized
 * messages, unknown calls and payloads the schema refuses — and after every case it is
 * still running, has answered nothing without the token but a refusal (no 2xx, no 3xx, no
 * 101, no page, no API data), has reported no fault of its own, and is still serving a
 * legitimate browser: an authorized API socket open from the first case to the last, its
 * `app.info` calls and a page load with the cookie, made while each case is sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CallResult } from '../../../src/shared/api';
import { validateRequest } from '../../../src/shared/api-schema';
import type { ServerMessage } from '../../../src/shared/serve-protocol';
import { MAX_CLIENT_MESSAGE } from '../../../src/cli/serve/serve-server';
import { BIN, ROOT } from '../../support/cli';

/** Longest any one exchange, call or page load may take before the test calls it hung. */
const STEP_TIMEOUT_MS = 5000;
/** After the server's last byte, how long an exchange waits for more before it is done. */
const IDLE_MS = 120;
/** How long an exchange waits for a first byte when the server need not answer at all. */
const SILENT_MS = 250;

let child: ChildProcess;
let stderr = '';
let port = 0;
let token = '';
let cookie = '';
let origin = '';
let legit: ApiClient;
let exited: Promise<unknown>;

function within<T>(what: string, promise: Promise<T>, ms = STEP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An API client over a real WebSocket, as the browser UI is one. */
class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, (result: CallResult<unknown>) => void>();
  /** Answers to ids this client never sent (there must be none). */
  readonly strays: unknown[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      if (message.type !== 'result') return;
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (resolve) resolve(message.result);
      else this.strays.push(message);
    });
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static open(headers: Record<string, string>): Promise<ApiClient> {
    return within(
      'opening the API socket',
      new Promise((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
        socket.once('open', () => resolve(new ApiClient(socket)));
        socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        socket.once('error', reject);
      }),
    );
  }

  /** Sends a call (of any name and payload, so hostile ones too) and waits for its answer. */
  call(name: unknown, payload: unknown): Promise<CallResult<unknown>> {
    const id = this.nextId++;
    return within(
      `the answer to ${JSON.stringify(name)}`,
      new Promise((resolve) => {
        this.pending.set(id, resolve);
        this.socket.send(JSON.stringify({ type: 'call', id, name, request: payload }));
      }),
    );
  }
}

function getPage(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return within(
    'loading the page',
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    }),
  );
}

/** What a legitimate browser does while a case is sent: a call on its open socket, and a page load. */
async function legitimateUse(): Promise<void> {
  const [info, page] = await Promise.all([legit.call('app.info', null), getPage({ Cookie: cookie })]);
  expect(info).toMatchObject({ ok: true, value: { mode: 'browser' } });
  expect(page.status).toBe(200);
  expect(page.body).toContain('<div id="app">');
}

const serverGone = () => child.exitCode !== null || child.signalCode !== null;
/** The first case after which the server was gone: every later case (and shrink) fails too. */
let killer: string | null = null;

/**
 * Runs one hostile case while a legitimate browser uses the server, then checks that the
 * server is still running, still serves that browser, and reported no fault of its own.
 * `description` names the case in the failure when the server died of it.
 */
async function hostileCase<T>(description: string, attack: () => Promise<T>): Promise<T> {
  const [outcome, during] = await Promise.allSettled([attack(), legitimateUse()]);
  const [after] = await Promise.allSettled([legitimateUse()]);
  if (during.status === 'rejected' || after.status === 'rejected' || outcome.status === 'rejected') {
    // A refused connection may mean the process just died: let its exit be seen.
    await within('hubwatch serve to exit', exited, 1000).catch(() => undefined);
  }
  if (serverGone()) {
    killer ??= description;
    throw new Error(`hubwatch serve exited after this case: ${killer}\nstderr: ${stderr}`);
  }
  if (outcome.status === 'rejected') throw outcome.reason;
  for (const step of [during, after]) if (step.status === 'rejected') throw step.reason;
  expect(legit.closed, 'the legitimate API socket was closed').toBeNull();
  expect(legit.strays).toEqual([]);
  expect(stderr, 'hubwatch serve reported a fault of its own').toBe('');
  return outcome.value;
}

const describeBytes = (bytes: Buffer) => JSON.stringify(bytes.toString('latin1').slice(0, 2000));

// --- Raw exchanges ---------------------------------------------------------------------

/** How a case is sent: whole (then read until the server closes or goes quiet), or cut off. */
type Delivery = { kind: 'whole' } | { kind: 'cut'; at: number; pauseMs: number };

/**
 * Writes `chunks` on a fresh TCP connection and collects what the server writes back:
 * until it closes, or has been quiet for IDLE_MS (SILENT_MS when it said nothing yet).
 * A `cut` delivery sends only the first `at` bytes and closes the connection mid-request.
 */
function exchange(chunks: Buffer[], delivery: Delivery = { kind: 'whole' }): Promise<Buffer> {
  const whole = Buffer.concat(chunks);
  return within(
    'a raw exchange',
    new Promise((resolve) => {
      const received: Buffer[] = [];
      let idle: NodeJS.Timeout | undefined;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(idle);
        socket.destroy();
        resolve(Buffer.concat(received));
      };
      const quietFor = (ms: number) => {
        clearTimeout(idle);
        idle = setTimeout(finish, ms);
      };
      const socket: Socket = connectTcp(port, '127.0.0.1', () => {
        if (delivery.kind === 'cut') {
          socket.write(whole.subarray(0, delivery.at % (whole.length + 1)));
          setTimeout(finish, delivery.pauseMs);
          return;
        }
        // Separate writes, so a head and the bytes after it can arrive apart.
        for (const chunk of chunks) socket.write(chunk);
        quietFor(SILENT_MS);
      });
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (delivery.kind === 'whole') quietFor(IDLE_MS);
      });
      socket.on('error', () => {}); // ECONNRESET / EPIPE after the server hung up: expected.
      socket.on('close', finish);
    }),
  );
}

/** Whether `bytes` hold the token as a value of its own (a cookie or query value), not inside another. */
function carriesToken(bytes: Buffer): boolean {
  const text = bytes.toString('latin1');
  for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
    const before = text[at - 1] ?? '';
    const after = text[at + token.length] ?? '';
    if (/^[=\s]?$/.test(before) && /^[;&\s]?$/.test(after)) return true;
  }
  return false;
}

/** Every status line in what the server sent (several when requests were pipelined). */
function statuses(response: Buffer): number[] {
  return [...response.toString('latin1').matchAll(/HTTP\/\d\.\d (\d{3})/g)].map((match) => Number(match[1]));
}

/** Nothing in `response` is more than a refusal: no status below 400, no page, no API data. */
function expectOnlyRefusals(response: Buffer, sent: Buffer): void {
  const text = response.toString('latin1');
  const context = `sent ${JSON.stringify(sent.toString('latin1').slice(0, 400))}\ngot ${JSON.stringify(text.slice(0, 400))}`;
  if (response.length > 0) expect(text, context).toMatch(/^HTTP\/1\.1 \d{3} /);
  for (const status of statuses(response)) {
    expect(status, context).toBeGreaterThanOrEqual(400);
    expect(status, context).not.toBe(500);
  }
  expect(text, context).not.toMatch(/<div id="app">|<script|"type":"(result|push)"|"ok":|set-cookie/i);
}

// --- WebSocket frames ------------------------------------------------------------------

interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
  /** A length to claim in the header instead of the payload's (oversized messages). */
  claimedLength: number | null;
}

/** One frame as RFC 6455 lays it out, masked as a client must (or not, when `masked` is false). */
function encodeFrame(frame: FrameSpec): Buffer {
  const length = frame.claimedLength ?? frame.payload.length;
  const head = [(frame.fin ? 0x80 : 0) | ((frame.rsv & 7) << 4) | (frame.opcode & 0x0f)];
  const maskBit = frame.masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  const key = frame.masked ? randomBytes(4) : Buffer.alloc(0);
  const payload = Buffer.from(frame.payload);
  if (frame.masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), extended, key, payload]);
}

/** Names the schema knows (their payloads are made invalid below) and names it does not. */
const callName = fc.oneof(
  fc.constantFrom(
    'app.info',
    'hubs.save',
    'hubs.remove',
    'view.open',
    'view.rows',
    'events.get',
    'export.start',
    'settings.set',
    'demo.start',
  ),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'no.such.call', '', 'app.info '),
  fc.string({ maxLength: 30 }),
  fc.jsonValue({ maxDepth: 1 }),
);

/**
 * A call the server must refuse: an unknown name, or a known one with a payload its schema
 * refuses (valid calls are left out, so that no case starts a demo or saves a hub).
 */
const refusedCall = fc
  .record({
    name: callName,
    request: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constant(undefined),
      fc.record({ viewId: fc.jsonValue({ maxDepth: 1 }), start: fc.double(), count: fc.integer() }),
      fc.record({ hub: fc.record({ id: fc.string(), url: fc.jsonValue({ maxDepth: 1 }) }) }),
      fc.record({ filter: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })) }),
    ),
  })
  .filter(({ name, request: payload }) => validateRequest(name, payload) !== null);

const text = (value: string) => new TextEncoder().encode(value);

/** What a hostile client puts in a text message. */
const messagePayload: fc.Arbitrary<Uint8Array> = fc.oneof(
  refusedCall.map((call) => text(JSON.stringify({ type: 'call', id: 1, ...call }))),
  fc.jsonValue({ maxDepth: 2 }).map((value) => text(JSON.stringify(value) ?? 'null')),
  fc.constantFrom('', '{', '[', 'null', '1e999', '{"type":"call","id":"1","name":"app.info"}').map(text),
  // Not UTF-8: an overlong slash, a lone surrogate, a cut-off sequence.
  fc
    .constantFrom([0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff, 0xfe])
    .map((b) => Uint8Array.from(b)),
  fc.uint8Array({ maxLength: 200 }),
);

/** Frames a broken or hostile client sends after (or instead of) a successful upgrade. */
const hostileFrame: fc.Arbitrary<Buffer> = fc.oneof(
  // Well-formed text frames carrying refused calls and garbage.
  {
    weight: 3,
    arbitrary: messagePayload.map((payload) =>
      encodeFrame({ fin: true, rsv: 0, opcode: 1, masked: true, payload, claimedLength: null }),
    ),
  },
  // Any header bits: reserved opcodes and RSV bits, unmasked, fragmented control frames,
  // control frames over 125 bytes, continuations with nothing to continue.
  {
    weight: 3,
    arbitrary: fc
      .record({
        fin: fc.boolean(),
        rsv: fc.integer({ min: 0, max: 7 }),
        opcode: fc.integer({ min: 0, max: 15 }),
        masked: fc.boolean(),
        payload: fc.oneof(messagePayload, fc.uint8Array({ minLength: 126, maxLength: 300 })),
        claimedLength: fc.constant(null),
      })
      .map(encodeFrame),
  },
  // Close frames with codes no one may send.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 65_535 }), fc.uint8Array({ maxLength: 20 }))
      .map(([code, reason]) => {
        const payload = Buffer.alloc(2 + reason.length);
        payload.writeUInt16BE(code);
        payload.set(reason, 2);
        return encodeFrame({ fin: true, rsv: 0, opcode: 8, masked: true, payload, claimedLength: null });
      }),
  },
  // Messages over maxPayload, claimed in the header (whole or as the first of fragments).
  {
    weight: 1,
    arbitrary: fc
      .record({
        fin: fc.boolean(),
        opcode: fc.constantFrom(1, 2),
        claimedLength: fc.oneof(
          fc.integer({ min: MAX_CLIENT_MESSAGE + 1, max: 2 * MAX_CLIENT_MESSAGE }),
          fc.constant(Number.MAX_SAFE_INTEGER),
        ),
        payload: fc.uint8Array({ maxLength: 64 }),
      })
      .map((frame) => encodeFrame({ ...frame, rsv: 0, masked: true })),
  },
  // Bytes that are not frames at all.
  {
    weight: 1,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  },
);

// --- HTTP requests ---------------------------------------------------------------------

/** A header field as it goes on the wire, with whether it leaves the request acceptable. */
interface Field {
  lines: string[];
  ok: boolean;
}

const field = (lines: string[], ok = false): Field => ({ lines, ok });

/** What a case is made of; rendered to bytes by `render`, so a failure prints readably. */
interface RequestSpec {
  method: string;
  target: string;
  version: string;
  eol: string;
  host: Field;
  origin: Field;
  cookie: Field;
  upgrade: string[];
  extra: string[];
  frames: Buffer[];
}

function render(spec: RequestSpec): Buffer[] {
  const lines = [
    `${spec.method} ${spec.target} ${spec.version}`.trimEnd(),
    ...spec.host.lines,
    ...spec.origin.lines,
    ...spec.cookie.lines,
    ...spec.upgrade,
    ...spec.extra,
  ];
  const head = Buffer.from(lines.map((line) => line + spec.eol).join('') + spec.eol, 'latin1');
  return [head, ...spec.frames];
}

/** The Host, Origin and Cookie headers and request targets, for this server's port and token. */
function requestParts() {
  const ourHost = `127.0.0.1:${port}`;
  const one = (name: string, value: string, ok = false) => field([`${name}: ${value}`], ok);
  /** Lengths for long values: mostly within Node's 16 KB of headers, sometimes far past it. */
  const long = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1000, max: 12_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 16_500, max: 70_000 }) },
  );

  const host = fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .constantFrom(ourHost, `localhost:${port}`, `LOCALHOST:${port}`)
        .map((h) => one('Host', h, true)),
    },
    {
      weight: 4,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            'evil.example',
            `evil.example:${port}`,
            '127.0.0.1',
            `127.0.0.1:${port + 1}`,
            `127.0.0.1:${port}.evil.example`,
            `user@127.0.0.1:${port}`,
            `[::1]:${port}`,
            '',
            `127.0.0.1:0${port}`,
          ),
          fc.string({ maxLength: 40 }),
          long.map((n) => 'a'.repeat(n)),
        )
        .map((h) => one('Host', h)),
    },
    { weight: 1, arbitrary: fc.constant(field([])) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom([ourHost, ourHost], [ourHost, 'evil.example'], ['evil.example', ourHost])
        .map((hosts) => field(hosts.map((h) => `Host: ${h}`))),
    },
  );

  const origin = fc.oneof(
    { weight: 2, arbitrary: fc.constant(field([], true)) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(`http://${ourHost}`, `http://localhost:${port}`)
        .map((o) => one('Origin', o, true)),
    },
    {
      weight: 5,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            'null',
            'http://evil.example',
            `https://${ourHost}`,
            `http://${ourHost}/`,
            'file://',
            'file:///etc/passwd',
            `http://${ourHost}.evil.example`,
            'chrome-extension://abcdef',
            'http://[::1',
            '',
            '%',
          ),
          fc.string({ maxLength: 60 }),
          long.map((n) => `http://${'a'.repeat(n)}.example`),
        )
        .map((o) => one('Origin', o)),
    },
    { weight: 1, arbitrary: fc.constant(field(['Sec-WebSocket-Origin: http://evil.example'])) },
    {
      weight: 1,
      arbitrary: fc.constant(field([`Origin: http://${ourHost}`, 'Origin: http://evil.example'])),
    },
  );

  /** Cookies that never carry the token. */
  const cookieWithoutToken = fc.oneof(
    { weight: 2, arbitrary: fc.constant(field([])) },
    {
      weight: 5,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            'hubwatch_token=wrong',
            'hubwatch_token=%E0%A4%A',
            'hubwatch_token=%',
            'hubwatch_token=',
            'hubwatch_token',
            '=hubwatch_token',
            ';;;',
            `hubwatch_token=${token}x`,
            `hubwatch_token=${token.slice(0, -1)}`,
            `hubwatch_token="${token}"`,
            `hubwatch_token=%E0%A4%A; hubwatch_token=wrong; other=%zz`,
          ),
          fc.string({ maxLength: 80 }),
          fc
            .array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), { maxLength: 30 })
            .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('; ')),
          long.map((n) => `hubwatch_token=${'%41'.repeat(Math.floor(n / 3))}`),
        )
        .map((value) => one('Cookie', value)),
    },
    { weight: 1, arbitrary: fc.constant(field(['Cookie: hubwatch_token=wrong', 'Cookie: a=%E0'])) },
  );

  /** Cookies that carry the token, among hostile company. */
  const cookieWithToken = fc
    .constantFrom(
      `hubwatch_token=${token}`,
      `hubwatch_token=%E0%A4%A; hubwatch_token=${token}`,
      `a=%zz; hubwatch_token=${token}; hubwatch_token=wrong`,
      ` hubwatch_token = ${token} `,
    )
    .map((value) => one('Cookie', value, true));

  const pathPart = fc.oneof(
    fc.stringMatching(/^[a-zA-Z0-9._~-]{0,8}$/),
    fc.constantFrom(
      '%',
      '%2',
      '%zz',
      '%E0%A4%A',
      '%C0%AE',
      '%2F',
      '%2e%2e',
      '%00',
      '..',
      '//',
      ';',
      '\\',
      '@',
      ':',
    ),
  );
  const target = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constantFrom(
        '/',
        '/index.html',
        '/api',
        '/favicon.svg',
        '/assets/index.js',
        '//',
        '//evil.example/',
        '/\\evil.example/',
        '*',
        'evil.example:443',
        'http://evil.example/',
        `http://${ourHost}/`,
        `http://${ourHost}/api`,
        '/%E0%A4%A',
        '/%',
        '/%00',
        '/../../etc/passwd',
        '/..%2f..%2fetc%2fpasswd',
        '/exports/0123abcd/%E0%A4%A',
        '/exports/0123abcd/x.ndjson',
        '/api?token=',
        '/?token=wrong',
        '/?token=%E0%A4%A',
        '/?token[]=x&token=y',
        `/?token=${token.slice(0, -1)}`,
        '',
      ),
    },
    { weight: 5, arbitrary: fc.array(pathPart, { maxLength: 8 }).map((parts) => `/${parts.join('')}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: long.map((n) => `/${'a'.repeat(n)}`) },
  );

  const method = fc.oneof(
    { weight: 16, arbitrary: fc.constant('GET') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'HEAD',
        'POST',
        'PUT',
        'DELETE',
        'OPTIONS',
        'TRACE',
        'PATCH',
        'CONNECT',
        'PRI',
        'get',
        'G\tT',
        'GET GET',
        '',
      ),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
  );
  const version = fc.oneof(
    { weight: 16, arbitrary: fc.constant('HTTP/1.1') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'HTTP/1.0',
        'HTTP/2.0',
        'HTTP/0.9',
        'http/1.1',
        'HTTP/1.10',
        'HTTP/11',
        'HTTP/1.1 x',
        '',
      ),
    },
  );
  const eol = fc.oneof(
    { weight: 24, arbitrary: fc.constant('\r\n') },
    { weight: 1, arbitrary: fc.constantFrom('\n', '\r') },
  );

  const websocketKey = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .uint8Array({ minLength: 16, maxLength: 16 })
        .map((b) => Buffer.from(b).toString('base64')),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'short',
        'x'.repeat(100),
        '====================',
        'dGhlIHNhbXBsZSBub25jZQ',
      ),
    },
  );
  const websocketVersion = fc.oneof(
    { weight: 4, arbitrary: fc.constant('13') },
    {
      weight: 2,
      arbitrary: fc.constantFrom('8', '', '12', '14', 'abc', '13, 8', '99999999999999999999', '-13', '0x0d'),
    },
  );
  /** Upgrade headers, from a browser's to nonsense. */
  const upgrade = fc.oneof(
    { weight: 2, arbitrary: fc.constant([] as string[]) },
    {
      weight: 5,
      arbitrary: fc
        .record({
          upgrade: fc.constantFrom('websocket', 'WebSocket', 'h2c', 'websocket, h2c', ''),
          connection: fc.constantFrom('Upgrade', 'keep-alive, Upgrade', 'close'),
          key: fc.option(websocketKey, { nil: undefined }),
          version: fc.option(websocketVersion, { nil: undefined }),
          extras: fc.subarray([
            'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=999',
            'Sec-WebSocket-Extensions: ,;=',
            'Sec-WebSocket-Protocol: a, a',
            'Sec-WebSocket-Protocol: ,,',
          ]),
        })
        .map((u) => [
          `Upgrade: ${u.upgrade}`,
          `Connection: ${u.connection}`,
          ...(u.key === undefined ? [] : [`Sec-WebSocket-Key: ${u.key}`]),
          ...(u.version === undefined ? [] : [`Sec-WebSocket-Version: ${u.version}`]),
          ...u.extras,
        ]),
    },
  );

  const headerName = fc
    .stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/)
    .filter((name) => !['host', 'origin', 'sec-websocket-origin', 'cookie'].includes(name.toLowerCase()));
  /** Other header fields: framing that lies, continuations, fields that are not fields, 60 KB. */
  const extra = fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('Connection: close') },
      {
        weight: 4,
        arbitrary: fc
          .tuple(headerName, fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,40}$/), fc.string({ maxLength: 40 })))
          .map(([name, value]) => `${name}: ${value}`),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'Content-Length: 5',
          'Content-Length: abc',
          'Content-Length: 1, 2',
          'Content-Length: 99999999999999999999',
          'Transfer-Encoding: chunked',
          'Transfer-Encoding: chunked, identity',
          'Expect: 100-continue',
          'Expect: something-else',
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'X-No-Colon',
          ' folded: line',
          'Space Before : colon',
          ': empty-name',
          'X-Nul: a\u0000b',
          'X-Cr: a\rb',
          'X-Latin1: \u00ff\u00fe',
        ),
      },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 50_000, max: 70_000 }).map((n) => `X-Big: ${'b'.repeat(n)}`),
      },
    ),
    { maxLength: 2 },
  );
  /** What follows the head: nothing, a body, chunks that lie, or WebSocket frames. */
  const after = fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as Buffer[]) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('hello', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', 'GET / HTTP/1.1\r\n\r\n')
        .map((s) => [Buffer.from(s)]),
    },
    { weight: 2, arbitrary: fc.array(hostileFrame, { minLength: 1, maxLength: 4 }) },
  );

  const spec = (cookie: fc.Arbitrary<Field>, targetArb: fc.Arbitrary<string> = target) =>
    fc.record({
      method,
      target: targetArb,
      version,
      eol,
      host,
      origin,
      cookie,
      upgrade,
      extra,
      frames: after,
    });

  const delivery: fc.Arbitrary<Delivery> = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ kind: 'whole' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('cut' as const),
        at: fc.nat(),
        pauseMs: fc.integer({ min: 0, max: 30 }),
      }),
    },
  );

  return { spec, cookieWithoutToken, cookieWithToken, target, delivery, upgrade, host, origin };
}

/** Bytes that are not HTTP at all. */
const notHttp: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    // A TLS ClientHello's first bytes, an HTTP/2 preface, SSH, SMTP, NUL bytes, blank lines.
    Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
    Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'),
    Buffer.from('EHLO evil.example\r\n'),
    Buffer.alloc(64),
    Buffer.from('\r\n\r\n\r\n'),
  ),
);

// --- The running server -----------------------------------------------------------------

beforeAll(async () => {
  child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await within(
    'hubwatch serve to print its URL',
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /Hubwatch UI: (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    }),
    20_000,
  );
  const url = new URL(line);
  port = Number(url.port);
  token = url.searchParams.get('token')!;
  cookie = `hubwatch_token=${token}`;
  origin = `http://127.0.0.1:${port}`;
  legit = await ApiClient.open({ Cookie: cookie, Origin: origin });
}, 30_000);

afterAll(async () => {
  legit?.socket.terminate();
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});

describe('hubwatch serve under hostile input', () => {
  it('answers only refusals to requests without the token, whatever their line, headers and bytes', async () => {
    const { spec, cookieWithoutToken, delivery } = requestParts();
    await fc.assert(
      fc.asyncProperty(spec(cookieWithoutToken), delivery, async (request, how) => {
        const chunks = render(request);
        const sent = Buffer.concat(chunks);
        expect(carriesToken(sent)).toBe(false);
        const response = await hostileCase(describeBytes(sent), () => exchange(chunks, how));
        expectOnlyRefusals(response, sent);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('refuses a foreign or doubled Host, and an upgrade from a foreign Origin, even with the token', async () => {
    const { spec, cookieWithToken, target, delivery } = requestParts();
    const withQueryToken = fc.oneof(
      target,
      fc.constantFrom('/', '/api', '//evil.example/', '/index.html').map((path) => `${path}?token=${token}`),
    );
    await fc.assert(
      fc.asyncProperty(spec(cookieWithToken, withQueryToken), delivery, async (request, how) => {
        const chunks = render(request);
        const sent = Buffer.concat(chunks);
        const response = await hostileCase(describeBytes(sent), () => exchange(chunks, how));
        const found = statuses(response);
        const context = `sent ${JSON.stringify(sent.toString('latin1').slice(0, 400))}\ngot ${JSON.stringify(response.toString('latin1').slice(0, 400))}`;
        if (!request.host.ok) for (const status of found) expect(status, context).toBeGreaterThanOrEqual(400);
        if (!request.origin.ok) expect(found, context).not.toContain(101);
        expect(found, context).not.toContain(500);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('survives bytes that are not HTTP, sent whole or cut off', async () => {
    const { delivery } = requestParts();
    await fc.assert(
      fc.asyncProperty(notHttp, delivery, async (bytes, how) => {
        const response = await hostileCase(describeBytes(bytes), () => exchange([bytes], how));
        expectOnlyRefusals(response, bytes);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('never upgrades a socket without the token, and runs none of the calls sent on it', async () => {
    const { cookieWithoutToken, host, origin: originField } = requestParts();
    const validCall = fc.constantFrom('app.info', 'hubs.list', 'alerts.list', 'settings.get').map((name) =>
      encodeFrame({
        fin: true,
        rsv: 0,
        opcode: 1,
        masked: true,
        payload: text(JSON.stringify({ type: 'call', id: 7, name, request: null })),
        claimedLength: null,
      }),
    );
    const attempt = fc.record({
      target: fc.constantFrom('/api', '/api?token=wrong', '/api?token=', '/api/', '/API', '/%61pi', '//api'),
      host,
      origin: originField,
      cookie: cookieWithoutToken,
      key: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64')),
      version: fc.constantFrom('13', '8'),
      inHead: fc.array(fc.oneof(validCall, hostileFrame), { maxLength: 3 }),
      later: fc.array(fc.oneof(validCall, hostileFrame), { maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(attempt, async (a) => {
        const head = Buffer.from(
          [
            `GET ${a.target} HTTP/1.1`,
            ...a.host.lines,
            ...a.origin.lines,
            ...a.cookie.lines,
            'Upgrade: websocket',
            'Connection: Upgrade',
            `Sec-WebSocket-Key: ${a.key}`,
            `Sec-WebSocket-Version: ${a.version}`,
          ]
            .map((line) => `${line}\r\n`)
            .join('') + '\r\n',
          'latin1',
        );
        const chunks = [Buffer.concat([head, ...a.inHead]), ...a.later];
        const sent = Buffer.concat(chunks);
        expect(carriesToken(sent)).toBe(false);
        const response = await hostileCase(describeBytes(sent), () => exchange(chunks));
        expectOnlyRefusals(response, sent);
        expect(statuses(response).length, 'the refusal carries a status').toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('survives invalid frames and oversized messages after an authorized upgrade, losing only that socket', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrame, { minLength: 1, maxLength: 6 }), async (frames) => {
        const head = Buffer.from(
          `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nCookie: ${cookie}\r\n` +
            `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
          'latin1',
        );
        const response = await hostileCase(describeBytes(Buffer.concat(frames)), () =>
          exchange([head, ...frames]),
        );
        expect(statuses(response)[0], 'the upgrade itself is accepted').toBe(101);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('answers every call an authorized client sends with an error saying why, and ignores what is not a call', async () => {
    const hostile = await ApiClient.open({ Cookie: cookie, Origin: origin });
    const notACall = fc.oneof(
      fc.constantFrom(
        '',
        '{',
        'null',
        '[]',
        '"call"',
        '1e999',
        '{"type":"call"}',
        '{"type":"call","id":"1"}',
        '{"type":"push","batch":[]}',
      ),
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? ''),
      fc.string({ maxLength: 100 }),
    );
    const message = fc.oneof(
      { weight: 3, arbitrary: refusedCall.map((call) => ({ kind: 'call' as const, ...call })) },
      { weight: 1, arbitrary: notACall.map((raw) => ({ kind: 'raw' as const, raw })) },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 100 }).map((bytes) => ({ kind: 'binary' as const, bytes })),
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 5 }), async (messages) => {
        const results = await hostileCase(JSON.stringify(messages).slice(0, 2000), () => {
          const answers: Promise<CallResult<unknown>>[] = [];
          for (const m of messages) {
            if (m.kind === 'call') answers.push(hostile.call(m.name, m.request));
            else if (m.kind === 'raw') hostile.socket.send(m.raw);
            else hostile.socket.send(m.bytes, { binary: true });
          }
          return Promise.all(answers);
        });
        for (const result of results) {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.message).toMatch(/\S/);
        }
        // The same socket goes on working after all of it.
        expect(await hostile.call('app.info', null)).toMatchObject({ ok: true });
        expect(hostile.closed).toBeNull();
        expect(hostile.strays).toEqual([]);
      }),
      { numRuns: 100 },
    );
    hostile.socket.close();
  }, 60_000);

  it('closes a socket that sends a message over the limit with 1009, and keeps the others', async () => {
    const big = await ApiClient.open({ Cookie: cookie, Origin: origin });
    const closed = new Promise<number>((resolve) => big.socket.once('close', (code) => resolve(code)));
    const code = await hostileCase('a message one byte over the limit', () => {
      big.socket.send('x'.repeat(MAX_CLIENT_MESSAGE + 1));
      return within('the oversized socket to close', closed);
    });
    expect(code).toBe(1009);
  });
});
