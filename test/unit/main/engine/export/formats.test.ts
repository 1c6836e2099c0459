import { describe, expect, it } from 'vitest';
import { gapMarker, toHubEvent } from '../../../../../src/main/engine/event-record';
import { CSV_HEADER, csvField, csvRow } from '../../../../../src/main/engine/export/csv';
import { formatterFor, isExportFormat } from '../../../../../src/main/engine/export/formats';
import { minifyJsonText } from '../../../../../src/main/engine/export/json-text';
import { ndjsonLine } from '../../../../../src/main/engine/export/ndjson';
import { createRedactor } from '../../../../../src/main/engine/redaction';
import { textLine } from '../../../../../src/main/engine/export/text';
import { HUB_EVENT_KEYS } from '../../../../../src/shared/hub-event';
import { exportRecord, parseCsv } from './export-records';

describe('NDJSON lines', () => {
  it('write exactly the HubEvent record, keys in the contract order', () => {
    const event = exportRecord();
    const line = ndjsonLine(event);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...HUB_EVENT_KEYS]);
    expect(parsed).toEqual(toHubEvent(event));
  });

  it('copy data from the received JSON text, keeping numbers JSON.parse would round', () => {
    const raw = '{"big":12345678901234567890,"x":1.0}';
    const line = ndjsonLine(exportRecord({ raw, data: JSON.parse(raw) as never }));
    expect(line).toContain(',"data":{"big":12345678901234567890,"x":1.0}}\n');
  });

  it('turn line breaks of multi-line received JSON into spaces, keeping one line', () => {
    const raw = '{\r\n  "Topic": "status",\n  "Data": {"payload": "a\\nb"}\r}';
    const line = ndjsonLine(exportRecord({ raw, data: JSON.parse(raw) as never }));
    expect(line.split('\n')).toHaveLength(2);
    expect((JSON.parse(line) as { data: unknown }).data).toEqual({
      Topic: 'status',
      Data: { payload: 'a\nb' },
    });
  });

  it('write a malformed payload and a gap marker with null keys, never empty strings', () => {
    const malformed = exportRecord({ data: '{"trunc', raw: null, malformed: true, id: null, entity: null });
    expect(JSON.parse(ndjsonLine(malformed))).toMatchObject({ data: '{"trunc', id: null, entity: null });
    const gap = gapMarker('bots', 18, 1778201531300, 'reconnected: events may be missing');
    const parsed = JSON.parse(ndjsonLine(gap)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toHaveLength(11);
    expect(parsed).toEqual({
      hub: 'bots',
      seq: 18,
      receivedAt: 1778201531300,
      time: 1778201531300,
      event: 'gap',
      id: null,
      level: 'warn',
      source: 'hubwatch',
      entity: null,
      message: 'reconnected: events may be missing',
      data: null,
    });
  });
});

describe('CSV rows', () => {
  it('start with the header row and end every row with CRLF', () => {
    expect(CSV_HEADER).toBe('hub,seq,receivedAt,time,event,id,level,source,entity,message,data\r\n');
    expect(csvRow(exportRecord()).endsWith('\r\n')).toBe(true);
  });

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\ronly', '"cr\ronly"'],
    ['', ''],
  ])('quote %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('read back field for field by an RFC 4180 parser, whatever the message holds', () => {
    const message = 'quote " comma , CRLF \r\n LF \n end';
    const raw = '{\n "message": "x,\\"y\\"" }';
    const event = exportRecord({ message, raw, data: JSON.parse(raw) as never, source: null, id: null });
    const rows = parseCsv(CSV_HEADER + csvRow(event));
    expect(rows).toEqual([
      ['hub', 'seq', 'receivedAt', 'time', 'event', 'id', 'level', 'source', 'entity', 'message', 'data'],
      [
        'bots',
        '17',
        '1778201531300',
        '1778201531241',
        'log',
        '',
        'info',
        '',
        'bot:bot-1',
        message,
        '{"message":"x,\\"y\\""}',
      ],
    ]);
  });

  it('write data as compact JSON when the record has no received text', () => {
    const row = csvRow(exportRecord({ raw: null, data: { a: [1, 2], b: 'c' } }));
    expect(parseCsv(row)[0]![10]).toBe('{"a":[1,2],"b":"c"}');
  });
});

describe('JSON minification', () => {
  it.each([
    ['{"a":1}', '{"a":1}'],
    ['{ "a" : [ 1 , 2 ] }', '{"a":[1,2]}'],
    ['{\n\t"s": "keep  these \\" spaces"\r\n}', '{"s":"keep  these \\" spaces"}'],
    ['"\\\\" ', '"\\\\"'],
    ['  {"a" : "b\\"c \\\\" , "d" : [ ] }  ', '{"a":"b\\"c \\\\","d":[]}'],
    ['{"unterminated : 1', '{"unterminated : 1'],
  ])('compacts %j to %j', (text, expected) => {
    expect(minifyJsonText(text)).toBe(expected);
  });
});

describe('text lines', () => {
  it('read time, hub, level, source and message', () => {
    expect(textLine(exportRecord())).toBe(
      '2026-05-08T00:52:11.241Z bots info auth_client POST https://x.test/login\n',
    );
  });

  it('stay on one line when the message has line breaks', () => {
    const line = textLine(exportRecord({ message: 'first\nsecond\r\nthird', source: null }));
    expect(line).toBe('2026-05-08T00:52:11.241Z bots info - first\\nsecond\\r\\nthird\n');
  });

  it('fall back to the event name when there is no message', () => {
    expect(textLine(exportRecord({ event: 'gap', level: 'warn', message: null }))).toContain(
      ' warn auth_client gap\n',
    );
  });
});

describe('formatters', () => {
  it('redact every line they write', () => {
    const redact = createRedactor(['bot-token-123']);
    const event = exportRecord({ message: 'GET /events?token=bot-token-123' });
    for (const format of ['ndjson', 'csv', 'text'] as const) {
      const line = formatterFor(format, redact).line(event);
      expect(line).not.toContain('bot-token-123');
      expect(line).toContain('REDACTED');
    }
  });

  describe('redact content field by field, never identity', () => {
    // The token `fleet` is in the hub id, the event name, the SSE id, the entity id, the
    // message, the source and the payload; only the last three are content.
    const raw =
      '{"msg":"fleet online, see http://h/e?token=abc","component":"fleet-core","auth":"Bearer xyz","n":7}';
    const event = exportRecord({
      hub: 'ops-fleet',
      event: 'fleet-status',
      id: 'fleet-1',
      entity: { type: 'server', id: 'srv-fleet' },
      source: 'fleet-core',
      message: 'srv-fleet: fleet online, see http://h/e?token=abc',
      data: JSON.parse(raw) as never,
      raw,
    });
    const redact = createRedactor(['fleet']);
    const scrub = createRedactor(['fleet'], { scrub: true });

    it('in NDJSON', () => {
      const parsed = JSON.parse(formatterFor('ndjson', redact).line(event)) as Record<string, unknown>;
      expect(parsed).toMatchObject({
        hub: 'ops-fleet',
        event: 'fleet-status',
        id: 'fleet-1',
        entity: { type: 'server', id: 'srv-fleet' },
        source: 'REDACTED-core',
        message: 'srv-fleet: REDACTED online, see http://h/e?token=REDACTED',
        data: {
          msg: 'REDACTED online, see http://h/e?token=abc',
          component: 'REDACTED-core',
          auth: 'Bearer xyz',
          n: 7,
        },
      });
      const scrubbed = JSON.parse(formatterFor('ndjson', scrub).line(event)) as { data: unknown };
      expect(scrubbed.data).toEqual({
        msg: 'REDACTED online, see http://h/e?token=REDACTED',
        component: 'REDACTED-core',
        auth: 'Bearer REDACTED',
        n: 7,
      });
    });

    it('in CSV', () => {
      const [, row] = parseCsv(CSV_HEADER + formatterFor('csv', redact).line(event));
      expect(row).toEqual([
        'ops-fleet',
        '17',
        '1778201531300',
        '1778201531241',
        'fleet-status',
        'fleet-1',
        'info',
        'REDACTED-core',
        'server:srv-fleet',
        'srv-fleet: REDACTED online, see http://h/e?token=REDACTED',
        '{"msg":"REDACTED online, see http://h/e?token=abc","component":"REDACTED-core","auth":"Bearer xyz","n":7}',
      ]);
      const [, scrubbed] = parseCsv(CSV_HEADER + formatterFor('csv', scrub).line(event));
      expect(scrubbed?.[10]).toBe(
        '{"msg":"REDACTED online, see http://h/e?token=REDACTED","component":"REDACTED-core","auth":"Bearer REDACTED","n":7}',
      );
    });

    it('in text, where the event name stands in for a missing message as it is', () => {
      expect(formatterFor('text', redact).line(event)).toBe(
        '2026-05-08T00:52:11.241Z ops-fleet info REDACTED-core srv-fleet: REDACTED online, see http://h/e?token=REDACTED\n',
      );
      expect(formatterFor('text', redact).line({ ...event, message: null })).toBe(
        '2026-05-08T00:52:11.241Z ops-fleet info REDACTED-core fleet-status\n',
      );
    });
  });

  it('give CSV alone a header', () => {
    const redact = createRedactor([]);
    expect(formatterFor('csv', redact).header).toBe(CSV_HEADER);
    expect(formatterFor('ndjson', redact).header).toBe('');
    expect(formatterFor('text', redact).header).toBe('');
  });

  it('recognise the format names of the command line', () => {
    expect(isExportFormat('csv')).toBe(true);
    expect(isExportFormat('json')).toBe(false);
  });
});
