/**
 * How each export format writes records: a header, one line per record redacted field by
 * field (content redacted, identity never), what goes between two lines and a footer —
 * shared by file exports and `hubwatch capture`. What else there is to know of a format
 * (its name, file extensions, media type) is its descriptor in `shared/export-formats.ts`.
 */
import { isExportFormatId, type ExportFormatId } from '../../../shared/export-formats';
import type { EngineEvent } from '../event-record';
import { CSV_HEADER, csvRow } from './csv';
import { ndjsonLine } from './ndjson';
import type { Redactor } from '../redaction';
import { textLine } from './text';

/** An export format's id (see `EXPORT_FORMATS` in shared/export-formats.ts). */
export type ExportFormat = ExportFormatId;

/**
 * How a format writes a file or a stream: `header`, then each record's `line` with
 * `separator` between two of them, then `footer`. A line writer is a pure function of its
 * record, so batches of one file can be formatted on different threads.
 */
export interface FormatWriter {
  /** Written once before the first line (the CSV header row); `''` when the format has none. */
  readonly header: string;
  /** One record, redacted, with its line end (`\n`, or `\r\n` for CSV) when the format has one. */
  line(event: EngineEvent, redact: Redactor): string;
  /** Written between two lines (a JSON array's comma); `''` for one-record-per-line formats. */
  readonly separator: string;
  /** Written once after the last line, also when there were none (a JSON array's `]`). */
  readonly footer: string;
}

/** The writer of every format; one missing or one too many is a compile error. */
const WRITERS = {
  ndjson: { header: '', line: ndjsonLine, separator: '', footer: '' },
  csv: { header: CSV_HEADER, line: csvRow, separator: '', footer: '' },
  text: { header: '', line: textLine, separator: '', footer: '' },
} as const satisfies Record<ExportFormatId, FormatWriter>;

/** Writes records in one format, with one redactor. */
export interface LineFormatter {
  /** Written once before the first line (the CSV header row); `''` when the format has none. */
  header: string;
  /** One record, redacted, with its line end (`\n`, or `\r\n` for CSV) when the format has one. */
  line(event: EngineEvent): string;
  /** Written between two lines; `''` for one-record-per-line formats. */
  separator: string;
  /** Written once after the last line, also when there were none. */
  footer: string;
}

/** Matches at once: a regex test makes V8 flatten the string it is given (see `formatterFor`). */
const AT_ONCE = /^/;

/**
 * The formatter for `format` — a format's id, or a writer of the caller's own — redacting
 * the content fields of every record with `redact`. Each line is flattened once written: a
 * line is built of a few dozen concatenated pieces, and a batch of 8,192 such ropes, held
 * until it is encoded, cost a format worker (whose young generation is capped) twice the
 * time in garbage collection and UTF-8 encoding.
 */
export function formatterFor(format: ExportFormat | FormatWriter, redact: Redactor): LineFormatter {
  const writer: FormatWriter = typeof format === 'string' ? WRITERS[format] : format;
  return {
    header: writer.header,
    line: (event) => {
      const line = writer.line(event, redact);
      AT_ONCE.test(line);
      return line;
    },
    separator: writer.separator,
    footer: writer.footer,
  };
}

/** Whether a string names an export format (for command-line arguments). */
export function isExportFormat(value: string): value is ExportFormat {
  return isExportFormatId(value);
}
