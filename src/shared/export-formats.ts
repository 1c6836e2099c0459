/**
 * The export formats, each described once: what the export dialog, the API's schema, the
 * save dialog, the file name and `hubwatch capture --format` know of a format. How a format
 * writes records is the engine's (`src/main/engine/export/formats.ts`, keyed by these ids).
 * Adding a format: a descriptor here, its writer in the engine's export folder.
 */

/** What everything outside the engine's writers knows of one export format. */
export interface ExportFormatDescriptor {
  /** The name in the API, in settings and on the command line (`--format ID`). */
  readonly id: string;
  /** The format's name in the export dialog. */
  readonly label: string;
  /** The format's name within a sentence (`NDJSON, CSV or text`). */
  readonly noun: string;
  /** What the export dialog says of it, after the name. */
  readonly hint: string;
  /** The save dialog's name for files of this format. */
  readonly fileType: string;
  /** File name extensions, without the dot; a new file gets the first. */
  readonly extensions: readonly [string, ...string[]];
  /** The media type of such a file. */
  readonly mimeType: string;
}

/** Every export format, in the order the export dialog offers them; the first is the default. */
export const EXPORT_FORMATS = [
  {
    id: 'ndjson',
    label: 'NDJSON',
    noun: 'NDJSON',
    hint: 'one HubEvent per line',
    fileType: 'NDJSON — one event per line',
    extensions: ['ndjson', 'jsonl'],
    mimeType: 'application/x-ndjson',
  },
  {
    id: 'csv',
    label: 'CSV',
    noun: 'CSV',
    hint: 'spreadsheet-friendly',
    fileType: 'CSV',
    extensions: ['csv'],
    mimeType: 'text/csv',
  },
  {
    id: 'text',
    label: 'Text',
    noun: 'text',
    hint: 'like the list',
    fileType: 'Text log',
    extensions: ['log', 'txt'],
    mimeType: 'text/plain',
  },
] as const satisfies readonly ExportFormatDescriptor[];

/** The id of an export format. */
export type ExportFormatId = (typeof EXPORT_FORMATS)[number]['id'];

/** Every export format's id, in the dialog's order. */
export const EXPORT_FORMAT_IDS: readonly ExportFormatId[] = EXPORT_FORMATS.map((format) => format.id);

/** The format a new export gets unless the operator picks another. */
export const DEFAULT_EXPORT_FORMAT: ExportFormatId = EXPORT_FORMATS[0].id;

/** The descriptor of a format. */
export function exportFormat(id: ExportFormatId): ExportFormatDescriptor {
  // Every id is one of EXPORT_FORMATS' by its type: the search always finds it.
  return EXPORT_FORMATS.find((format) => format.id === id)!;
}

/** Whether a string names an export format (for command-line arguments). */
export function isExportFormatId(value: string): value is ExportFormatId {
  return (EXPORT_FORMAT_IDS as readonly string[]).includes(value);
}

/** Words as a sentence lists them: `a, b or c` (for help and error text). */
export function listInWords(words: readonly string[], conjunction = 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)!}`;
}

/** The formats as a sentence names them: `NDJSON, CSV or text`. */
export function exportFormatNouns(conjunction = 'or'): string {
  return listInWords(
    EXPORT_FORMATS.map((format) => format.noun),
    conjunction,
  );
}
