import { describe, expect, it } from 'vitest';
import { ExportRequestSchema } from '../../../src/shared/api-schema';
import {
  DEFAULT_EXPORT_FORMAT,
  EXPORT_FORMAT_IDS,
  EXPORT_FORMATS,
  exportFormat,
  exportFormatNouns,
  isExportFormatId,
  listInWords,
} from '../../../src/shared/export-formats';
import * as v from 'valibot';

describe('the export format descriptors', () => {
  it('name each format once, NDJSON first as the default', () => {
    expect(EXPORT_FORMAT_IDS).toEqual(['ndjson', 'csv', 'text']);
    expect(new Set(EXPORT_FORMATS.map((format) => format.label)).size).toBe(EXPORT_FORMATS.length);
    expect(DEFAULT_EXPORT_FORMAT).toBe('ndjson');
  });

  it('give each format the extension its files get first, as the exports always named them', () => {
    expect(EXPORT_FORMAT_IDS.map((id) => exportFormat(id).extensions[0])).toEqual(['ndjson', 'csv', 'log']);
  });

  it('list the formats for help and error text, by id or by name', () => {
    expect(listInWords(EXPORT_FORMAT_IDS)).toBe('ndjson, csv or text');
    expect(exportFormatNouns()).toBe('NDJSON, CSV or text');
    expect(exportFormatNouns('and')).toBe('NDJSON, CSV and text');
    expect(listInWords(['ndjson'])).toBe('ndjson');
    expect(listInWords([])).toBe('');
  });

  it('tell a format id from any other string', () => {
    expect(EXPORT_FORMAT_IDS.every(isExportFormatId)).toBe(true);
    expect(isExportFormatId('json')).toBe(false);
    expect(isExportFormatId('NDJSON')).toBe(false);
  });

  it("are what the API's export request accepts, and the error names every one", () => {
    for (const format of EXPORT_FORMAT_IDS)
      expect(v.safeParse(ExportRequestSchema, { format, filter: {} }).success).toBe(true);
    const refused = v.safeParse(ExportRequestSchema, { format: 'xml', filter: {} });
    expect(refused.success).toBe(false);
    expect(refused.issues?.[0]?.message).toBe('must be one of ndjson, csv, text');
  });
});
