/**
 * Property: every dialect's `map()` takes whatever a hub sends — random bytes, arbitrary
 * JSON with `__proto__`/`constructor` keys at any depth, nesting thousands of levels deep,
 * strings of megabytes — without throwing, returns a well-formed record that the UI
 * transports can send, and leaves `Object.prototype` alone. (mapping-robustness.test.ts
 * covers the shapes the dialects expect; this file covers the hostile ones.)
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { getDialect } from '../../../../../src/main/engine/dialects';
import type { EngineEvent } from '../../../../../src/main/engine/event-record';
import type { Frame } from '../../../../../src/main/engine/transports/types';
import { context } from '../dialects/frame-fixtures';
import {
  FUZZ_HUBS,
  expectSendable,
  expectWellFormed,
  fuzzFrame,
  prototypeKeys,
  renderPayload,
} from './fuzz-support';

const prototypeBefore = prototypeKeys();

afterAll(() => {
  expect(prototypeKeys()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

describe('every dialect, on hostile input', () => {
  it('keeps a payload nested 10 000 levels deep as its text, so the record can still be sent', () => {
    const data = renderPayload({ kind: 'deep', depth: 10_000, shape: 'mixed' });
    for (const hub of FUZZ_HUBS) {
      const mapped = getDialect(hub.dialect).create(hub, context()).map({
        event: 'log',
        id: null,
        data,
        receivedAt: 1,
        via: 'sse',
      });
      expect(mapped.data).toBe(data);
      // The JSON dialects mark it; generic takes any text as a text payload.
      expect(mapped.malformed).toBe(hub.dialect !== 'generic');
      expectSendable({ hub: hub.id, seq: 1, receivedAt: 1, id: null, ...mapped });
    }
  });

  it('still parses JSON nested as deep as real payloads go', () => {
    const data = renderPayload({ kind: 'deep', depth: 200, shape: 'object' });
    const mapped = getDialect('generic').create(FUZZ_HUBS.at(-1)!, context()).map({
      event: null,
      id: null,
      data,
      receivedAt: 1,
      via: 'sse',
    });
    expect(mapped.raw).toBe(data);
    expect(typeof mapped.data).toBe('object');
  });

  for (const hub of FUZZ_HUBS) {
    it(`${hub.id} (${hub.dialect}) maps every frame to a sendable record without throwing`, () => {
      const dialect = getDialect(hub.dialect).create(hub, context());
      fc.assert(
        fc.property(
          fuzzFrame,
          fc.constantFrom('sse' as const, 'websocket' as const, 'poll' as const),
          (sent, via) => {
            const frame: Frame = {
              event: sent.event,
              id: sent.id,
              data: renderPayload(sent.payload),
              receivedAt: 1_700_000_000_000,
              via,
            };
            const mapped = dialect.map(frame);
            expectWellFormed(mapped);
            // A frame is never dropped: unreadable payloads are kept as their text.
            if (mapped.malformed) expect(mapped.data).toBe(frame.data);
            if (mapped.raw !== null) expect(mapped.raw).toBe(frame.data);
            const record: EngineEvent = {
              hub: hub.id,
              seq: 1,
              receivedAt: frame.receivedAt,
              id: frame.id,
              ...mapped,
            };
            expectSendable(record);
            expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
          },
        ),
        { numRuns: 150 },
      );
    }, 30_000);
  }
});
