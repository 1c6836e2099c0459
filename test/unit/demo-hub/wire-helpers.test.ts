import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../../src/demo-hub/backendai-auth';
import { inflatePayload, malformPayload } from '../../../src/demo-hub/faults';
import { deriveSeed, SeededRandom, ShuffleBag } from '../../../src/demo-hub/random';
import { encodeSseFrame, sliceBoundaries } from '../../../src/demo-hub/sse-writer';
import {
  KnobError,
  settingsForRequest,
  DEFAULT_STREAM_SETTINGS,
} from '../../../src/demo-hub/stream-settings';

describe('the seeded random generator', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    for (const value of draw(7)) expect(value >= 0 && value < 1).toBe(true);
  });

  it('derives unrelated stream seeds from one hub seed', () => {
    expect(deriveSeed(1, 'bot-hub')).not.toBe(deriveSeed(1, 'protocube'));
    expect(deriveSeed(1, 'bot-hub')).not.toBe(deriveSeed(2, 'bot-hub'));
    expect(deriveSeed(1, 'bot-hub')).toBe(deriveSeed(1, 'bot-hub'));
  });

  it('draws every item of a shuffle bag once per round', () => {
    const bag = new ShuffleBag(['a', 'b', 'c', 'd'], new SeededRandom(3));
    const round = [bag.draw(), bag.draw(), bag.draw(), bag.draw()];
    expect([...round].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('SSE frame encoding', () => {
  it('writes event, id and data lines and a blank line, in each line ending', () => {
    const frame = { event: 'output', id: '7', data: '{"line":"x"}' };
    expect(encodeSseFrame(frame)).toBe('event: output\nid: 7\ndata: {"line":"x"}\n\n');
    expect(encodeSseFrame(frame, 'crlf')).toBe('event: output\r\nid: 7\r\ndata: {"line":"x"}\r\n\r\n');
    expect(encodeSseFrame({ data: 'a' }, 'cr')).toBe('data: a\r\r');
  });

  it('splits a multi-line payload into several data lines', () => {
    expect(encodeSseFrame({ data: 'a\nb' })).toBe('data: a\ndata: b\n\n');
  });

  it('cuts a chunk inside its first multi-byte character and ends at its length', () => {
    const bytes = Buffer.from('data: {"m":"abc — ✓ é"}\n\n', 'utf8');
    const cuts = sliceBoundaries(bytes, new SeededRandom(1));
    const dash = bytes.indexOf(0xe2);
    expect(cuts).toContain(dash + 1);
    expect(cuts.at(-1)).toBe(bytes.length);
    expect([...cuts].sort((a, b) => a - b)).toEqual(cuts);
  });
});

describe('payload faults', () => {
  it('makes a payload that does not parse', () => {
    const data = JSON.stringify({ a: 1, b: 'two' });
    expect(() => JSON.parse(malformPayload(data)) as unknown).toThrow();
  });

  it('pads a payload to the size asked while keeping it valid JSON with its fields', () => {
    const padded = inflatePayload('{"a":1}', 5000);
    expect(padded.length).toBeGreaterThanOrEqual(4950);
    expect(padded.length).toBeLessThanOrEqual(5050);
    expect(JSON.parse(padded)).toMatchObject({ a: 1 });
  });
});

describe('request knobs', () => {
  it('override the hub defaults for one request', () => {
    const settings = settingsForRequest(
      DEFAULT_STREAM_SETTINGS,
      new URLSearchParams('rate=50&dropAfter=3&split&eol=cr'),
    );
    expect(settings).toMatchObject({ rate: 50, faults: { dropAfter: 3, split: true, eol: 'cr' } });
    expect(DEFAULT_STREAM_SETTINGS.faults).toEqual({});
  });

  it('reject values out of range or of the wrong kind', () => {
    expect(() => settingsForRequest(DEFAULT_STREAM_SETTINGS, new URLSearchParams('rate=-1'))).toThrow(
      KnobError,
    );
    expect(() => settingsForRequest(DEFAULT_STREAM_SETTINGS, new URLSearchParams('dropAfter=1.5'))).toThrow(
      /integer/,
    );
    expect(() => settingsForRequest(DEFAULT_STREAM_SETTINGS, new URLSearchParams('split=maybe'))).toThrow(
      /split/,
    );
  });
});

describe('Backend.AI Date parsing', () => {
  it('reads extended and basic ISO 8601 with or without an offset, keeping the day as written', () => {
    expect(parseIsoDate('2026-05-01T12:00:00.000Z')).toEqual({
      epochMs: Date.UTC(2026, 4, 1, 12),
      yyyymmdd: '20260501',
    });
    expect(parseIsoDate('2026-05-02T01:00:00+09:00')).toEqual({
      epochMs: Date.UTC(2026, 4, 1, 16),
      yyyymmdd: '20260502',
    });
    expect(parseIsoDate('20260501T120000Z')?.epochMs).toBe(Date.UTC(2026, 4, 1, 12));
    expect(parseIsoDate('2026-05-01T12:00:00')?.epochMs).toBe(Date.UTC(2026, 4, 1, 12));
    expect(parseIsoDate('2026-05-01T12:00:00.123456+00:00')?.epochMs).toBe(
      Date.UTC(2026, 4, 1, 12, 0, 0, 123.456),
    );
  });

  it('rejects what is not ISO 8601', () => {
    expect(parseIsoDate('Fri, 01 May 2026 12:00:00 GMT')).toBeUndefined();
    expect(parseIsoDate('2026-13-01T00:00:00Z')).toBeUndefined();
    expect(parseIsoDate('')).toBeUndefined();
  });
});
