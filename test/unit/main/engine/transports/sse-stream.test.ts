import { describe, expect, it } from 'vitest';
import type { AttemptSink } from '../../../../../src/main/engine/transports/attempt';
import {
  isEventStreamType,
  runSseAttempt,
  sseRequestHeaders,
} from '../../../../../src/main/engine/transports/sse-stream';
import { utf8HeaderValue } from '../../../../../src/main/engine/transports/http-fetch';
import type { Frame } from '../../../../../src/main/engine/transports/types';
import { stubFetch } from './stub-fetch';
import type { StubResponse } from './stub-fetch';

/** Runs one attempt over a scripted response and returns what the sink saw. */
async function parse(response: StubResponse, lastEventId: string | null = null) {
  const frames: Frame[] = [];
  const ownIds: (string | undefined)[] = [];
  const retries: number[] = [];
  let bytes = 0;
  let opened = false;
  const sink: AttemptSink = {
    lastEventId,
    opened: () => (opened = true),
    received: (n) => (bytes += n),
    frame: (frame, ownId) => {
      frames.push(frame);
      ownIds.push(ownId);
      return null;
    },
    retryInterval: (ms) => retries.push(ms),
  };
  const { fetch, requests } = stubFetch([response]);
  const outcome = await runSseAttempt({ url: 'http://hub.test/events', headers: {} }, sink, {
    fetch,
    signal: new AbortController().signal,
    now: () => 42,
  });
  return { frames, ownIds, retries, bytes, opened, outcome, requests, lastEventId: sink.lastEventId };
}

/** The stream cut into single bytes: every possible split point at once. */
function byteChunks(text: string | Uint8Array): Uint8Array[] {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

const STREAM =
  '\uFEFFretry: 1500\r\n: comment\r\nevent: log\r\nid: 1\r\ndata: {"a":"é中😀"}\r\n\r\n' +
  'data: line1\rdata: line2\r\rid: 2\n\ndata:no-space\n\nevent: end\ndata: x\n\n';

describe('runSseAttempt parsing', () => {
  it('gives the same frames whether the stream comes whole or one byte at a time', async () => {
    const whole = await parse({ chunks: [STREAM] });
    const split = await parse({ chunks: byteChunks(STREAM) });
    const expected = [
      { event: 'log', id: '1', data: '{"a":"é中😀"}', receivedAt: 42, via: 'sse' },
      { event: null, id: '1', data: 'line1\nline2', receivedAt: 42, via: 'sse' },
      { event: null, id: '2', data: 'no-space', receivedAt: 42, via: 'sse' },
      { event: 'end', id: '2', data: 'x', receivedAt: 42, via: 'sse' },
    ];
    expect(whole.frames).toEqual(expected);
    expect(split.frames).toEqual(expected);
    expect(split.retries).toEqual([1500]);
    expect(split.ownIds).toEqual(['1', undefined, undefined, undefined]);
    expect(split.lastEventId).toBe('2');
    expect(split.bytes).toBe(new TextEncoder().encode(STREAM).length);
  });

  it('does not mistake a CRLF split across chunks for a blank line', async () => {
    const result = await parse({ chunks: ['data: a\r', '\ndata: b\r\n\r\n'] });
    expect(result.frames.map((f) => f.data)).toEqual(['a\nb']);
  });

  it('strips a BOM split across chunks, and only one', async () => {
    const bom = [0xef, 0xbb, 0xbf];
    const one = await parse({ chunks: [Uint8Array.of(0xef), Uint8Array.of(0xbb, 0xbf, 0x64), 'ata: x\n\n'] });
    expect(one.frames.map((f) => f.data)).toEqual(['x']);
    const two = await parse({ chunks: [Uint8Array.from([...bom, ...bom]), 'data: x\n\ndata: y\n\n'] });
    expect(two.frames.map((f) => f.data)).toEqual(['y']);
  });

  it('replaces invalid UTF-8 instead of failing', async () => {
    const result = await parse({
      chunks: [Uint8Array.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a])],
    });
    expect(result.frames.map((f) => f.data)).toEqual(['\uFFFD']);
  });

  it('keeps NUL characters in data and ignores ids that contain one', async () => {
    const result = await parse({ chunks: ['id: ok\ndata: a\0b\n\nid: bad\0\ndata: c\n\n'] });
    expect(result.frames.map((f) => [f.id, f.data])).toEqual([
      ['ok', 'a\0b'],
      ['ok', 'c'],
    ]);
  });

  it('ignores unknown fields, bogus retry values and a space-less colon', async () => {
    const result = await parse({ chunks: ['retry: 12a\nfoo: bar\nretry\ndata\n\ndata:  two spaces\n\n'] });
    expect(result.retries).toEqual([]);
    expect(result.frames.map((f) => f.data)).toEqual(['', ' two spaces']);
  });

  it('dispatches nothing for a block without data but still takes its id', async () => {
    const result = await parse({ chunks: ['id: 5\nevent: x\n\n'] });
    expect(result.frames).toEqual([]);
    expect(result.lastEventId).toBe('5');
  });

  it('drops the truncated final event and asks to reconnect', async () => {
    const result = await parse({ chunks: ['data: a\n\ndata: b'] });
    expect(result.frames.map((f) => f.data)).toEqual(['a']);
    expect(result.outcome).toEqual({
      kind: 'retry',
      reason: 'the server closed the stream',
      retryAfterMs: null,
    });
  });

  it('decodes the stream as UTF-8 whatever charset the Content-Type names', async () => {
    const result = await parse({
      headers: { 'Content-Type': 'text/event-stream; charset=windows-1252' },
      chunks: ['data: é\n\n'],
    });
    expect(result.frames.map((f) => f.data)).toEqual(['é']);
  });
});

describe('runSseAttempt request and response', () => {
  it('sends the last event id as UTF-8 bytes, and none when there is none', async () => {
    const withId = await parse({ chunks: [] }, 'é');
    expect(withId.requests[0]!.headers.get('last-event-id')).toBe('\u00c3\u00a9');
    const without = await parse({ chunks: [] });
    expect(without.requests[0]!.headers.has('last-event-id')).toBe(false);
  });

  it('does not open on a wrong content type or a missing one', async () => {
    const html = await parse({
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      chunks: ['data: x\n\n'],
    });
    expect(html.opened).toBe(false);
    expect(html.frames).toEqual([]);
    expect(html.outcome).toMatchObject({
      outcome: {
        reason: 'wrong_content_type',
        detail: 'expected text/event-stream, got text/html; charset=utf-8',
      },
    });
  });

  it('refuses a URL that is not http or https as bad config', async () => {
    const { fetch } = stubFetch([{}]);
    const sink: AttemptSink = {
      lastEventId: null,
      opened: () => undefined,
      received: () => undefined,
      frame: () => null,
      retryInterval: () => undefined,
    };
    const outcome = await runSseAttempt({ url: 'ws://hub.test/x', headers: {} }, sink, {
      fetch,
      signal: new AbortController().signal,
      now: Date.now,
    });
    expect(outcome).toMatchObject({ kind: 'final', outcome: { state: 'failed', reason: 'bad_config' } });
  });
});

describe('helpers', () => {
  it('recognises the event-stream type with parameters, case and spaces', () => {
    expect(isEventStreamType('text/event-stream')).toBe(true);
    expect(isEventStreamType('Text/Event-Stream ; charset=utf-8')).toBe(true);
    expect(isEventStreamType('text/event-stream;')).toBe(true);
    expect(isEventStreamType('text/plain')).toBe(false);
    expect(isEventStreamType('text/event-streamx')).toBe(false);
    expect(isEventStreamType(null)).toBe(false);
  });

  it('lets the plan override Accept but always sets Last-Event-ID itself', () => {
    const headers = sseRequestHeaders(
      { url: 'http://h/', headers: { Accept: 'text/event-stream, */*' } },
      '',
    );
    expect(headers.get('accept')).toBe('text/event-stream, */*');
    expect(headers.get('cache-control')).toBe('no-cache');
    expect(headers.has('last-event-id')).toBe(false);
  });

  it('spells non-ASCII header values as their UTF-8 bytes', () => {
    expect(utf8HeaderValue('abc')).toBe('abc');
    expect(Buffer.from(utf8HeaderValue('中😀'), 'latin1').toString('utf8')).toBe('中😀');
  });
});
