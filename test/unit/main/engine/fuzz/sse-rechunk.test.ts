/**
 * Property: however the bytes of an event stream are cut into reads — at random points,
 * inside multi-byte UTF-8 characters, between the CR and LF of a line ending, one byte at
 * a time — `runSseAttempt` yields exactly the frames, ids and retry values of the same
 * stream read whole, and both match a plain reading of the WHATWG steps (`sse-model.ts`).
 * fast-check prints the seed and the shrunk counterexample of any failure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttemptSink } from '../../../../../src/main/engine/transports/attempt';
import { runSseAttempt } from '../../../../../src/main/engine/transports/sse-stream';
import type { Frame } from '../../../../../src/main/engine/transports/types';
import { stubFetch } from '../transports/stub-fetch';
import { interpretEventStream, type ModelResult } from './sse-model';

/** Characters that make the parser's life hard, mixed with any code point. */
const awkwardChar = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('a', ' ', ':', 'é', '中', '😀', '\u00a0', '\uFEFF', '\0', '\t', 'd'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
/** A field value: anything but a line break. */
const value = fc.string({ unit: awkwardChar, maxLength: 12 }).map((text) => text.replace(/[\r\n]/g, ''));

/** One line of an event stream, without its line ending. */
const line = fc.oneof(
  { weight: 4, arbitrary: value.map((v) => `data:${v}`) },
  { weight: 2, arbitrary: value.map((v) => `data: ${v}`) },
  { weight: 1, arbitrary: fc.constant('data') },
  { weight: 2, arbitrary: value.map((v) => `event:${v}`) },
  { weight: 2, arbitrary: value.map((v) => `id: ${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('id', 'id:', 'id: a\0b', 'event', 'event:') },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.nat({ max: 100_000 }).map((n) => `retry: ${n}`),
      fc.constantFrom('retry', 'retry: ', 'retry: 1x', 'retry:  5', 'retry: -1', 'retry: 1.5'),
    ),
  },
  { weight: 1, arbitrary: value.map((v) => `:${v}`) },
  { weight: 1, arbitrary: fc.tuple(value, value).map(([name, v]) => `${name.replace(/:/g, '')}:${v}`) },
  { weight: 4, arbitrary: fc.constant('') },
);
const lineEnding = fc.constantFrom('\n', '\r', '\r\n');

/** A whole stream: optional BOMs, lines with mixed endings, sometimes garbage bytes. */
const stream: fc.Arbitrary<Uint8Array> = fc
  .record({
    boms: fc.nat({ max: 2 }),
    lines: fc.array(fc.tuple(line, lineEnding), { maxLength: 40 }),
    tail: fc.option(value, { nil: undefined }),
    garbage: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })), { nil: undefined }),
  })
  .map(({ boms, lines, tail, garbage }) => {
    const text = '\uFEFF'.repeat(boms) + lines.map(([l, eol]) => l + eol).join('') + (tail ?? '');
    const bytes = new TextEncoder().encode(text);
    if (garbage === undefined) return bytes;
    // Invalid UTF-8 (stray continuation bytes, 0xFF, truncated sequences) at a random place.
    const [at, junk] = garbage;
    const cut = at % (bytes.length + 1);
    return Uint8Array.from([...bytes.subarray(0, cut), ...junk, ...bytes.subarray(cut)]);
  });

/** Where to cut `bytes`: random points, plus every CR|LF boundary or every multi-byte interior when asked. */
function cutsFor(bytes: Uint8Array, random: number[], afterCr: boolean, insideChars: boolean): number[] {
  const cuts = new Set<number>();
  for (const r of random) if (bytes.length > 1) cuts.add(1 + (r % (bytes.length - 1)));
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (afterCr && byte === 0x0d) cuts.add(i + 1);
    // A continuation byte (10xxxxxx): cutting before it splits a character.
    if (insideChars && (byte & 0xc0) === 0x80) cuts.add(i);
  }
  return [...cuts].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
}

function slices(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.slice(start, cut));
    start = cut;
  }
  return out;
}

interface Read {
  frames: Frame[];
  retries: number[];
  lastEventId: string | null;
  bytes: number;
}

async function read(chunks: Uint8Array[], lastEventId: string | null): Promise<Read> {
  const frames: Frame[] = [];
  const retries: number[] = [];
  let bytes = 0;
  const sink: AttemptSink = {
    lastEventId,
    opened: () => undefined,
    received: (n) => (bytes += n),
    frame: (frame) => {
      frames.push(frame);
      return null;
    },
    retryInterval: (ms) => retries.push(ms),
  };
  const { fetch } = stubFetch([{ chunks }]);
  await runSseAttempt({ url: 'http://hub.test/events', headers: {} }, sink, {
    fetch,
    signal: new AbortController().signal,
    now: () => 0,
  });
  return { frames, retries, lastEventId: sink.lastEventId, bytes };
}

function asModel(result: Read): ModelResult {
  return {
    frames: result.frames.map(({ data, event, id }) => ({ data, event, id })),
    retries: result.retries,
    lastEventId: result.lastEventId,
  };
}

describe('SSE rechunking', () => {
  it('yields the frames of the whole stream, and of the WHATWG reading, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        stream,
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.constantFrom('7', 'é'), { nil: null }),
        async (bytes, random, afterCr, insideChars, lastEventId) => {
          const expected = interpretEventStream(bytes, lastEventId);
          const whole = await read([bytes], lastEventId);
          const cut = await read(slices(bytes, cutsFor(bytes, random, afterCr, insideChars)), lastEventId);
          expect(asModel(whole)).toEqual(expected);
          expect(asModel(cut)).toEqual(expected);
          expect(cut.bytes).toBe(bytes.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('yields the same frames when every byte arrives on its own', async () => {
    await fc.assert(
      fc.asyncProperty(stream, async (bytes) => {
        const expected = interpretEventStream(bytes);
        const oneByOne = await read(
          Array.from(bytes, (byte) => Uint8Array.of(byte)),
          null,
        );
        expect(asModel(oneByOne)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with the WHATWG reading on the cases that are easy to get wrong', async () => {
    // Known-tricky inputs, checked every run in addition to the random ones.
    const cases = [
      'data: a\r\n\r\n',
      'data: a\r\r',
      'data: a\n\r\n',
      '\uFEFF\uFEFFdata: x\n\n',
      'data\n\ndata:\n\n',
      'id: 1\ndata: a\n\nid\ndata: b\n\n',
      'id: a\0\ndata: x\n\n',
      'data: 中😀\r\n\r\ndata: end',
      'retry: 10\nretry: 1x\n\n',
    ];
    for (const text of cases) {
      const bytes = new TextEncoder().encode(text);
      for (const chunks of [[bytes], Array.from(bytes, (byte) => Uint8Array.of(byte))]) {
        expect(asModel(await read(chunks, null))).toEqual(interpretEventStream(bytes));
      }
    }
  });
});
