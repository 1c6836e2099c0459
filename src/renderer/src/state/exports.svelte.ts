/**
 * Exports: the one the dialog started, its pushed progress, and the download of the
 * finished file in the browser (an `<a download>` click on `downloadUrl`).
 */
import type { Backend, ExportProgress, ExportRequest } from '../../../shared/api';
import { errorMessage } from '../backend/call-result';

/** The export the dialog follows, from start to download. */
export class ExportsStore {
  current: ExportProgress | null = $state.raw(null);
  starting = $state(false);
  error: string | null = $state(null);
  readonly #backend: Backend;
  readonly #download: (url: string) => void;
  /** Exports already downloaded (a repeated "done" push must not download twice). */
  #downloaded: string[] = [];

  constructor(backend: Backend, download: (url: string) => void) {
    this.#backend = backend;
    this.#download = download;
  }

  get running(): boolean {
    return this.current?.state === 'running';
  }

  async start(request: ExportRequest): Promise<void> {
    this.error = null;
    this.starting = true;
    try {
      const progress = await this.#backend.call('export.start', request);
      this.#update(progress);
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.starting = false;
    }
  }

  async cancel(): Promise<void> {
    const current = this.current;
    if (!current || current.state !== 'running') return;
    try {
      await this.#backend.call('export.cancel', { exportId: current.exportId });
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** A pushed progress update (only the current export's are shown). */
  receive(progress: ExportProgress): void {
    if (this.current && progress.exportId !== this.current.exportId) return;
    this.#update(progress);
  }

  /** Forgets a finished export (the dialog was closed). */
  clear(): void {
    if (this.current?.state !== 'running') this.current = null;
    this.error = null;
  }

  #update(progress: ExportProgress): void {
    this.current = progress;
    if (progress.state === 'done' && progress.downloadUrl && !this.#downloaded.includes(progress.exportId)) {
      this.#downloaded.push(progress.exportId);
      this.#download(progress.downloadUrl);
    }
  }
}
