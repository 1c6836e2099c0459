import { describe, expect, it } from 'vitest';
import { formatPackedBatch } from '../../../../../src/main/engine/export/format-pool';
import { formatterFor, type FormatWriter } from '../../../../../src/main/engine/export/formats';
import { packBatch } from '../../../../../src/main/engine/export/packed-batch';
import { createRedactor } from '../../../../../src/main/engine/redaction';
import { exportRecord } from './export-records';

const LISTED: FormatWriter = {
  header: '<',
  line: (event) => String(event.seq),
  separator: '|',
  footer: '>',
};

describe('a packed batch formatted as a worker does', () => {
  it("puts the format's separator between its lines, not before the first or after the last", () => {
    const batch = packBatch([1, 2, 3].map((seq) => exportRecord({ seq })));
    const bytes = formatPackedBatch(batch, formatterFor(LISTED, createRedactor([])));
    expect(new TextDecoder().decode(bytes)).toBe('1|2|3');
  });

  it('is empty for an empty batch', () => {
    const bytes = formatPackedBatch(packBatch([]), formatterFor(LISTED, createRedactor([])));
    expect(bytes.byteLength).toBe(0);
  });
});
