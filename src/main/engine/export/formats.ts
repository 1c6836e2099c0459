/**
 * The export formats, each a header and a line writer with redaction applied to every
 * line — shared by file exports and `hubwatch capture`.
 */
import type { ExportFormat } from '../../../shared/api';
import type { EngineEvent } from '../event-record';
import { CSV_HEADER, csvRow } from './csv';
import { ndjsonLine } from './ndjson';
import type { Redactor } from './redaction';
import { textLine } from './text';

export type { ExportFormat } from '../../../shared/api';

/** Every export format. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'csv', 'text'];

/** Writes records in one format. */
export interface LineFormatter {
  /** Written once before the first line (the CSV header row); `''` when the format has none. */
  header: string;
  /** One record, redacted, with its line end (`\n`, or `\r\n` for CSV). */
  line(event: EngineEvent): string;
}

const WRITERS: Readonly<Record<ExportFormat, { header: string; line: (event: EngineEvent) => string }>> = {
  ndjson: { header: '', line: ndjsonLine },
  csv: { header: CSV_HEADER, line: csvRow },
  text: { header: '', line: textLine },
};

/** The formatter for `format`, passing every line through `redact`. */
export function formatterFor(format: ExportFormat, redact: Redactor): LineFormatter {
  const writer = WRITERS[format];
  return { header: writer.header, line: (event) => redact(writer.line(event)) };
}

/** Whether a string names an export format (for command-line arguments). */
export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}
