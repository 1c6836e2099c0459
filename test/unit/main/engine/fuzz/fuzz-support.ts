/**
 * What the dialect and engine fuzz tests share: hub configs for every dialect, hostile
 * payload arbitraries, SSE encoding, a fetch stand-in that routes by URL, and the check
 * that a record survives the serialisations the UI transports use.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { EngineEvent, MappedEvent } from '../../../../../src/main/engine/event-record';
import { toHubEvent } from '../../../../../src/main/engine/event-record';
import type { HubConfig } from '../../../../../src/shared/hub-config';
import { ENTITY_TYPES, LEVELS } from '../../../../../src/shared/hub-event';

/** One hub of every dialect (and both Backend.AI stream kinds), on a host the stub fetch serves. */
export const FUZZ_HUBS: readonly HubConfig[] = [
  {
    id: 'bots',
    dialect: 'bot-hub',
    url: 'http://hub.test/bot-hub/events',
    auth: { type: 'bearer', token: 't' },
  },
  { id: 'cube', dialect: 'protocube', url: 'http://hub.test/protocube/events' },
  { id: 'evo', dialect: 'evoclaw', url: 'http://hub.test/evoclaw/api/logs/stream', pollIntervalSec: 3600 },
  {
    id: 'build',
    dialect: 'rdev',
    url: 'http://hub.test/rdev',
    project: 'p',
    command: 'npm test',
    auth: { type: 'header', name: 'X-API-Key', value: 'k' },
  },
  {
    id: 'bai',
    dialect: 'backendai',
    url: 'http://hub.test/backendai/events/session?sessionId=*',
    auth: { type: 'backendai', accessKey: 'AKIAFUZZ', secretKey: 's' },
  },
  {
    id: 'bai-task',
    dialect: 'backendai',
    url: 'http://hub.test/backendai/events/background-task?taskId=t-1',
    auth: { type: 'backendai', accessKey: 'AKIAFUZZ', secretKey: 's' },
  },
  {
    id: 'any',
    dialect: 'generic',
    url: 'http://hub.test/generic/stream',
    fields: {
      time: 'a.b',
      level: 'l',
      message: 'm.0',
      source: 'constructor',
      entity: 'e',
      entityType: 'bot',
    },
  },
];

/** Event names the dialects treat specially, plus the ones that end a stream. */
export const EVENT_NAMES = [
  'log',
  'session',
  'status',
  'crash',
  'crash:node-1',
  'deleted',
  'output',
  'error',
  'heartbeat',
  'connected',
  'session_started',
  'session_terminated',
  'task_updated',
  'task_done',
  'tak_failed',
  'task_failed',
  'task_cancelled',
  'complete',
  'server_close',
  'message',
] as const;

/** Keys that reach `Object.prototype` or shadow its methods when code is careless. */
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'then',
];
/** Keys the dialects read (fuzzed payloads are built from them). */
export const DIALECT_KEYS = [
  'timestamp_ms',
  'timestamp',
  'time',
  'level',
  'scope',
  'session_id',
  'message',
  'snapshot',
  'id',
  'status',
  'Topic',
  'Data',
  'server_id',
  'payload',
  'reason',
  'exit_code',
  'component',
  'line',
  'stream',
  'duration_ms',
  'sessionId',
  'task_id',
  'result',
  'current_progress',
  'total_progress',
];

/** JSON values whose objects use prototype and dialect keys at any level. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    fc.jsonValue({ maxDepth: 2 }),
    fc.dictionary(fc.constantFrom(...PROTOTYPE_KEYS, ...DIALECT_KEYS), tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;

/**
 * A payload, described rather than spelled out so that a failing case prints small: the
 * nested and huge ones are built from their description by `renderPayload`.
 */
export type PayloadSpec =
  | { kind: 'text'; text: string }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' | 'mixed' }
  | { kind: 'huge'; size: number; char: string };

/** Nesting far deeper than any real payload: arrays, objects or both, up to 20 000 levels. */
const deepJson: fc.Arbitrary<PayloadSpec> = fc.record({
  kind: fc.constant('deep' as const),
  depth: fc.integer({ min: 2, max: 20_000 }),
  shape: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
});

/** A payload with one string of up to 2 MB, multi-byte characters included. */
const hugeString: fc.Arbitrary<PayloadSpec> = fc.record({
  kind: fc.constant('huge' as const),
  size: fc.integer({ min: 100_000, max: 2_000_000 }),
  char: fc.constantFrom('x', 'é', '中', '😀', '"'),
});

const text = (arbitrary: fc.Arbitrary<string>): fc.Arbitrary<PayloadSpec> =>
  arbitrary.map((value) => ({ kind: 'text' as const, text: value }));

/** Any frame payload a hostile or broken hub might send. */
export const payloadSpec: fc.Arbitrary<PayloadSpec> = fc.oneof(
  { weight: 4, arbitrary: text(hostileJson.map((value) => JSON.stringify(value) ?? 'null')) },
  {
    weight: 2,
    arbitrary: text(fc.uint8Array({ maxLength: 64 }).map((bytes) => new TextDecoder().decode(bytes))),
  },
  { weight: 2, arbitrary: text(fc.string({ unit: 'binary', maxLength: 40 })) },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: hugeString },
  {
    weight: 1,
    arbitrary: text(
      fc.constantFrom(
        '',
        '{',
        '[1,',
        'null',
        '1e999',
        '{"__proto__":{"polluted":true,"level":"error"}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '{"Topic":"crash","Data":{"server_id":{"__proto__":"x"},"payload":[]}}',
      ),
    ),
  },
);

/** The payload text a spec describes. */
export function renderPayload(spec: PayloadSpec): string {
  switch (spec.kind) {
    case 'text':
      return spec.text;
    case 'deep':
      if (spec.shape === 'array') return '['.repeat(spec.depth) + ']'.repeat(spec.depth);
      if (spec.shape === 'object') return '{"message":'.repeat(spec.depth) + '"x"' + '}'.repeat(spec.depth);
      return '{"level":"error","a":[' + '{"b":['.repeat(spec.depth) + '1' + ']}'.repeat(spec.depth) + ']}';
    case 'huge': {
      const message = spec.char.repeat(Math.ceil(spec.size / spec.char.length));
      return JSON.stringify({ level: 'info', message, session_id: 'bot-1', Topic: 'crash' });
    }
  }
}

/** A frame as a hub sends it: maybe a name, maybe an id, any payload. */
export interface FuzzFrame {
  event: string | null;
  id: string | null;
  payload: PayloadSpec;
}

export const fuzzFrame: fc.Arbitrary<FuzzFrame> = fc.record({
  event: fc.option(fc.oneof(fc.constantFrom(...EVENT_NAMES), fc.string({ maxLength: 12 })), { nil: null }),
  id: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
  payload: payloadSpec,
});

/** One frame as SSE text; line breaks in the payload become separate data lines. */
export function sseFrame(frame: FuzzFrame): string {
  const clean = (value: string) => value.replace(/[\r\n]/g, ' ');
  let out = '';
  if (frame.event !== null) out += `event: ${clean(frame.event)}\n`;
  if (frame.id !== null) out += `id: ${clean(frame.id)}\n`;
  for (const line of renderPayload(frame.payload).split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** Answers one request; `index` counts the requests to that path from 0. */
export type Route = (url: URL, index: number, init: RequestInit | undefined) => Response;

/**
 * A fetch that routes by path: rdev's shell POST gets a stream id, everything else goes to
 * `stream`. Bodies are handed over whole; the SSE stream's own chunking is fuzzed elsewhere.
 */
export function routingFetch(stream: Route): typeof fetch {
  const counts = new Map<string, number>();
  return (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (init?.signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
    if (url.pathname.endsWith('/shell')) {
      return Promise.resolve(
        new Response('{"data":{"id":"s-1"}}', {
          status: 201,
          headers: { 'Content-Type': 'application/json' },
        }),
      );
    }
    const index = counts.get(url.pathname) ?? 0;
    counts.set(url.pathname, index + 1);
    return Promise.resolve(stream(url, index, init));
  };
}

export function eventStream(text: string): Response {
  return new Response(text, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** A mapped event is well-formed: the contract's types, whatever came in. */
export function expectWellFormed(mapped: MappedEvent): void {
  expect(typeof mapped.event).toBe('string');
  expect(mapped.event.length).toBeGreaterThan(0);
  expect(Number.isFinite(mapped.time)).toBe(true);
  expect(LEVELS).toContain(mapped.level);
  expect(mapped.source === null || typeof mapped.source === 'string').toBe(true);
  expect(mapped.message === null || typeof mapped.message === 'string').toBe(true);
  if (mapped.entity !== null) {
    expect(ENTITY_TYPES).toContain(mapped.entity.type);
    expect(typeof mapped.entity.id).toBe('string');
  }
}

/**
 * The record can be sent to the UI: JSON (`hubwatch serve`) and structured clone (Electron
 * IPC) both walk `data` recursively, so a payload they cannot take would break the batch
 * that carries it — and with it the other hubs' events in the same batch.
 */
export function expectSendable(record: EngineEvent): void {
  const event = toHubEvent(record);
  expect(() => JSON.stringify(event)).not.toThrow();
  expect(() => structuredClone(event)).not.toThrow();
}

/** Own property names of `Object.prototype`, to prove no payload reached it. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}
