import { describe, expect, it } from 'vitest';
import type { EventDetail } from '../../../../src/shared/api';
import { NumberText } from '../../../../src/shared/exact-json';
import { HUB_EVENT_KEYS, type HubEvent } from '../../../../src/shared/hub-event';
import { detailJson, detailRecord } from '../../../../src/renderer/src/lib/event-detail';

const RAW = '{"big":12345678901234567890,"huge":1e400,"n":3}';

function event(data: HubEvent['data']): HubEvent {
  return {
    hub: 'feed',
    seq: 7,
    receivedAt: 1_778_201_531_300,
    time: 1_778_201_531_241,
    event: 'reading',
    id: '7',
    level: 'info',
    source: null,
    entity: { type: 'bot', id: 'bot-1' },
    message: 'numbers',
    data,
  };
}

/** What `events.detail` answers: `data` as it arrived over IPC or WebSocket, already a double. */
const detail: EventDetail = { event: event(JSON.parse(RAW) as HubEvent['data']), dataText: RAW };

describe('the record the detail pane shows', () => {
  it('has the payload’s numbers as the hub sent them, read from its text', () => {
    const record = detailRecord(detail);
    const data = record.data as Record<string, unknown>;
    expect(data['big']).toBeInstanceOf(NumberText);
    expect((data['big'] as NumberText).text).toBe('12345678901234567890');
    expect((data['huge'] as NumberText).text).toBe('1e400');
    expect(data['n']).toBe(3);
  });

  it('keeps the record’s keys in the contract’s order', () => {
    expect(Object.keys(detailRecord(detail))).toEqual([...HUB_EVENT_KEYS]);
  });

  it('is the parsed data when the payload has no text (not JSON)', () => {
    const record = detailRecord({ event: event('plain text frame'), dataText: null });
    expect(record.data).toBe('plain text frame');
  });

  it('copies as indented JSON with the numbers’ own text', () => {
    const text = detailJson(detailRecord(detail));
    expect(text).toContain('"big": 12345678901234567890,');
    expect(text).toContain('"huge": 1e400,');
    expect(text).not.toContain('12345678901234567000');
    expect(text.startsWith('{\n  "hub": "feed",\n  "seq": 7,')).toBe(true);
    expect((JSON.parse(text) as HubEvent).entity).toEqual({ type: 'bot', id: 'bot-1' });
  });
});
