/**
 * The export formats, each a header and a line writer that redacts each record field by
 * field (content redacted, identity never) — shared by file exports and `hubwatch capture`.
 */
import { EXPORT_FORMATS, type ExportFormat } from '../../../shared/api';
import type { EngineEvent } from '../event-record';
import { CSV_HEADER, csvRow } from './csv';
import { ndjsonLine } from './ndjson';
import type { Redactor } from '../redaction';
import { textLine } from './text';

export { EXPORT_FORMATS, type ExportFormat };

/** Writes records in one format. */
export interface LineFormatter {
  /** Written once before the first line (the CSV header row); `''` when the format has none. */
  header: string;
  /** One record, redacted, with its line end (`\n`, or `\r\n` for CSV). */
  line(event: EngineEvent): string;
}

const WRITERS: Readonly<
  Record<ExportFormat, { header: string; line: (event: EngineEvent, redact: Redactor) => string }>
> = {
  ndjson: { header: '', line: ndjsonLine },
  csv: { header: CSV_HEADER, line: csvRow },
  text: { header: '', line: textLine },
};

/** Matches at once: a regex test makes V8 flatten the string it is given (see `formatterFor`). */
const AT_ONCE = /^/;

/**
 * The formatter for `format`, redacting the content fields of every record with `redact`.
 * Each line is flattened once written: a line is built of a few dozen concatenated pieces,
 * and a batch of 8,192 such ropes, held until it is encoded, cost a format worker (whose
 * young generation is capped) twice the time in garbage collection and UTF-8 encoding.
 */
export function formatterFor(format: ExportFormat, redact: Redactor): LineFormatter {
  const writer = WRITERS[format];
  return {
    header: writer.header,
    line: (event) => {
      const line = writer.line(event, redact);
      AT_ONCE.test(line);
      return line;
    },
  };
}

/** Whether a string names an export format (for command-line arguments). */
export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}
