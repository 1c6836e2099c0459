/**
 * Property tests: whatever arrives — random text, random JSON, known event names with
 * payloads of the wrong shape — every dialect's `map()` returns a well-formed record and
 * never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getDialect } from '../../../../../src/main/engine/dialects';
import type { MappedEvent } from '../../../../../src/main/engine/event-record';
import type { Frame } from '../../../../../src/main/engine/transports/types';
import { DIALECT_IDS, type HubConfig } from '../../../../../src/shared/hub-config';
import { ENTITY_TYPES, LEVELS } from '../../../../../src/shared/hub-event';
import { context } from './frame-fixtures';
import { DIALECT_KEYS } from '../fuzz/fuzz-support';

const HUBS: HubConfig[] = DIALECT_IDS.map((dialect) => ({
  id: dialect,
  dialect,
  url: 'http://127.0.0.1:1/events/background-task?taskId=t-1',
  project: 'p',
  streamId: 's',
  fields: { time: 'a.b', level: 'l', message: 'm.0', source: 'constructor', entity: 'e', entityType: 'bot' },
}));

const EVENT_NAMES = [
  'log',
  'session',
  'status',
  'crash',
  'deleted',
  'crash:x',
  'output',
  'complete',
  'error',
  'heartbeat',
  'connected',
  'session_terminated',
  'task_updated',
  'tak_failed',
  'task_cancelled',
  'server_close',
  'message',
];

/** Objects built from the keys the dialects read, with values of any JSON type. */
const knownKeys = [...DIALECT_KEYS, '__proto__', 'constructor'];
const shapedPayload = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }),
    fc.dictionary(fc.constantFrom(...knownKeys), tie('value'), { maxKeys: 6 }),
  ),
})).value;

const data = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.json({ maxDepth: 3 }),
  shapedPayload.map((value) => JSON.stringify(value) ?? 'null'),
  fc.constantFrom('', ' ', '\n', '{', '[1,', 'null', '"text"', '1e999', '{"__proto__":{"level":"error"}}'),
);

const frameArbitrary: fc.Arbitrary<Frame> = fc.record({
  event: fc.option(fc.oneof(fc.constantFrom(...EVENT_NAMES), fc.string()), { nil: null }),
  id: fc.constant(null),
  data,
  receivedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  via: fc.constantFrom('sse' as const, 'websocket' as const, 'poll' as const),
});

function expectWellFormed(mapped: MappedEvent, frame: Frame): void {
  expect(typeof mapped.event).toBe('string');
  expect(mapped.event.length).toBeGreaterThan(0);
  expect(Number.isFinite(mapped.time)).toBe(true);
  expect(LEVELS).toContain(mapped.level);
  expect(mapped.source === null || typeof mapped.source === 'string').toBe(true);
  expect(mapped.message === null || typeof mapped.message === 'string').toBe(true);
  if (mapped.entity !== null) {
    expect(ENTITY_TYPES).toContain(mapped.entity.type);
    expect(typeof mapped.entity.id).toBe('string');
    expect(mapped.entity.id.length).toBeGreaterThan(0);
  }
  expect(mapped.raw === null || mapped.raw === frame.data).toBe(true);
  if (mapped.malformed) {
    expect(mapped.data).toBe(frame.data);
    expect(mapped.raw).toBeNull();
    expect(mapped.level === 'warn' || mapped.level === 'error').toBe(true);
  }
  if (mapped.raw !== null) expect(JSON.parse(mapped.raw)).toEqual(mapped.data);
  expect(() => JSON.stringify(mapped.data)).not.toThrow();
}

describe('every dialect, on any input', () => {
  for (const hub of HUBS) {
    it(`${hub.dialect} maps every frame to a well-formed record without throwing`, () => {
      const { map } = getDialect(hub.dialect).create(hub, context());
      fc.assert(
        fc.property(frameArbitrary, (frame) => {
          expectWellFormed(map(frame), frame);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('keeps every non-JSON frame of the JSON dialects, marked and never dropped', () => {
    for (const hub of HUBS.filter((candidate) => candidate.dialect !== 'generic')) {
      const { map } = getDialect(hub.dialect).create(hub, context());
      const mapped = map({ event: 'log', id: null, data: '{"broken', receivedAt: 1, via: 'sse' });
      expect(mapped).toMatchObject({ malformed: true, data: '{"broken', raw: null });
    }
  });

  it('gives every dialect id a dialect of that id', () => {
    for (const id of DIALECT_IDS) expect(getDialect(id).id).toBe(id);
  });
});
