/** Records for export tests. */
import type { EngineEvent } from '../../../../../src/main/engine/event-record';

/** A bot-hub log record as the engine holds it; any field can be overridden. */
export function exportRecord(overrides: Partial<EngineEvent> = {}): EngineEvent {
  const raw =
    '{"timestamp_ms":1778201531241,"level":"info","scope":"auth_client","session_id":"bot-1","message":"POST https://x.test/login"}';
  return {
    hub: 'bots',
    seq: 17,
    receivedAt: 1778201531300,
    time: 1778201531241,
    event: 'log',
    id: '42',
    level: 'info',
    source: 'auth_client',
    entity: { type: 'bot', id: 'bot-1' },
    message: 'POST https://x.test/login',
    data: JSON.parse(raw) as EngineEvent['data'],
    raw,
    malformed: false,
    ...overrides,
  };
}

/**
 * A small RFC 4180 parser, written independently of the CSV writer, to check what a
 * spreadsheet or CSV library would read back.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += char;
    }
  }
  if (field.length > 0 || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}
