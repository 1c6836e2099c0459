import { afterEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../../../../src/main/engine/workspace/workspace';
import type { ExportFormat } from '../../../../../src/shared/api';
import { memoryHost } from '../../support/memory-host';

describe("an export's suggested file name", () => {
  let workspace: Workspace | null = null;

  afterEach(async () => {
    await workspace?.close();
    workspace = null;
  });

  it.each([
    ['ndjson', 'ndjson'],
    ['csv', 'csv'],
    ['text', 'log'],
  ] as const)('ends a %s export in .%s', async (format: ExportFormat, extension) => {
    const names: string[] = [];
    workspace = new Workspace({
      ...memoryHost(),
      chooseExportPath: (_request, suggestedName) => {
        names.push(suggestedName);
        return Promise.resolve(null);
      },
    });
    const progress = await workspace.startExport({ format, filter: {} });
    expect(progress.state).toBe('cancelled');
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(
      new RegExp(`^hubwatch-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.${extension}$`),
    );
  });
});
