import { beforeEach, describe, expect, it } from 'vitest';
import type { BrowserWindow } from 'electron';
import { electron, resetStub, stub } from './support/electron';

const { createExportPathChooser, saveDialogOptions } = await import('../../../src/main/export-dialog');

describe('the export save dialog', () => {
  beforeEach(() => resetStub());

  it('filters by the format and suggests the name in the default folder', () => {
    expect(saveDialogOptions('csv', 'hubwatch-2026-05-08T10-00-00.csv', '/home/op/Downloads')).toEqual({
      title: 'Export events',
      buttonLabel: 'Export',
      defaultPath: '/home/op/Downloads/hubwatch-2026-05-08T10-00-00.csv',
      filters: [
        { name: 'CSV', extensions: ['csv'] },
        { name: 'All files', extensions: ['*'] },
      ],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    expect(saveDialogOptions('ndjson', 'x.ndjson', '/d').filters?.[0]?.extensions).toEqual([
      'ndjson',
      'jsonl',
    ]);
    expect(saveDialogOptions('text', 'x.log', '/d').filters?.[0]?.extensions).toEqual(['log', 'txt']);
  });

  it('answers the chosen path, modal to the window', async () => {
    const window = new electron.BrowserWindow({});
    const choose = createExportPathChooser({
      parent: () => window as unknown as BrowserWindow,
      defaultDir: () => '/d',
    });
    stub.saveDialogResult = { canceled: false, filePath: '/tmp/out/events.ndjson' };
    expect(await choose({ format: 'ndjson', filter: {} }, 'hubwatch-x.ndjson')).toBe(
      '/tmp/out/events.ndjson',
    );
    expect(stub.dialogs[0]).toMatchObject({ kind: 'save', window });
  });

  it('answers null when the operator cancels', async () => {
    const choose = createExportPathChooser({ parent: () => null, defaultDir: () => '/d' });
    stub.saveDialogResult = { canceled: true, filePath: '' };
    expect(await choose({ format: 'csv', filter: {} }, 'x.csv')).toBeNull();
    expect(stub.dialogs[0]?.window).toBeNull();
  });

  it("adds the format's extension to a name typed without one, and starts next time in the folder used", async () => {
    const choose = createExportPathChooser({ parent: () => null, defaultDir: () => '/d' });
    stub.saveDialogResult = { canceled: false, filePath: '/tmp/out/report' };
    expect(await choose({ format: 'csv', filter: {} }, 'hubwatch-x.csv')).toBe('/tmp/out/report.csv');
    await choose({ format: 'csv', filter: {} }, 'hubwatch-y.csv');
    expect(stub.dialogs[1]?.options['defaultPath']).toBe('/tmp/out/hubwatch-y.csv');
  });
});
