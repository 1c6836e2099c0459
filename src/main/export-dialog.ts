/**
 * Where an export goes: the OS save dialog, with a filter per format and a default name.
 * The workspace then writes the file (to a temporary file renamed only when complete),
 * pushes progress and honours `export.cancel`.
 */
import { extname, join } from 'node:path';
import { dialog, type BrowserWindow, type FileFilter, type SaveDialogOptions } from 'electron';
import type { ExportFormat, ExportRequest } from '../shared/api';
import { exportFormat } from '../shared/export-formats';

/** The save dialog's file type of a format. */
function fileFilter(format: ExportFormat): FileFilter {
  const { fileType, extensions } = exportFormat(format);
  return { name: fileType, extensions: [...extensions] };
}

export interface ExportDialogOptions {
  /** The window the dialog belongs to (modal to it), when there is one. */
  parent(): BrowserWindow | null;
  /** The folder offered first (the last one used, else Downloads). */
  defaultDir(): string;
}

/** The save dialog's options for an export. */
export function saveDialogOptions(
  format: ExportFormat,
  suggestedName: string,
  dir: string,
): SaveDialogOptions {
  return {
    title: 'Export events',
    buttonLabel: 'Export',
    defaultPath: join(dir, suggestedName),
    filters: [fileFilter(format), { name: 'All files', extensions: ['*'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/**
 * The host's `chooseExportPath`: resolves with the chosen path, or null when the operator
 * cancelled. A name typed without an extension gets the format's.
 */
export function createExportPathChooser(
  options: ExportDialogOptions,
): (request: ExportRequest, suggestedName: string) => Promise<string | null> {
  let lastDir: string | null = null;
  return async (request, suggestedName) => {
    const dialogOptions = saveDialogOptions(request.format, suggestedName, lastDir ?? options.defaultDir());
    const window = options.parent();
    const result =
      window && !window.isDestroyed()
        ? await dialog.showSaveDialog(window, dialogOptions)
        : await dialog.showSaveDialog(dialogOptions);
    // Electron answers an empty path (not undefined) when the dialog was cancelled.
    if (result.canceled || !result.filePath) return null;
    let path = result.filePath;
    if (extname(path) === '') path += extname(suggestedName);
    lastDir = join(path, '..');
    return path;
  };
}
