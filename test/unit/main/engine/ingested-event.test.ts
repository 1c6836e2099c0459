import { describe, expect, it } from 'vitest';
import { IngestedEvent, toHubEvent } from '../../../../src/main/engine/event-record';
import type { JsonValue } from '../../../../src/shared/hub-event';

function record(data: JsonValue, raw: string | null) {
  return new IngestedEvent('h', 1, 10, 10, 'log', '1', 'info', null, null, 'm', data, raw, false);
}

describe('ingested records', () => {
  it('let go of a JSON payload and parse it again from its text on the next read', () => {
    const parsed = { a: [1, { b: 'c' }] };
    const event = record(parsed, '{"a":[1,{"b":"c"}]}');
    expect(event.data).toBe(parsed);
    event.release();
    expect(event.data).not.toBe(parsed);
    expect(event.data).toEqual(parsed);
    // Read once, kept: the same object on every later read.
    expect(event.data).toBe(event.data);
    expect(toHubEvent(event).data).toEqual(parsed);
  });

  it('keep payloads that have no JSON text (plain text, gaps) through a release', () => {
    const text = record('not json {', null);
    text.release();
    expect(text.data).toBe('not json {');
    const gap = record(null, null);
    gap.release();
    expect(gap.data).toBeNull();
  });
});
