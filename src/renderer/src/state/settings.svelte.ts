/**
 * The UI settings the engine keeps between runs (tab order, split tab, theme, per-tab
 * filters, time format). Changes apply at once and are written back shortly after, merged,
 * so typing in a filter does not send a write per keystroke.
 */
import { DEFAULT_UI_SETTINGS, type Backend, type UiSettings } from '../../../shared/api';
import type { FilterSpec } from '../../../shared/filter';
import { errorMessage } from '../backend/call-result';

/** How long changes wait to be written together. */
export const SETTINGS_WRITE_DELAY_MS = 400;

/** The persisted UI settings, written back in merged batches. */
export class SettingsStore {
  value: UiSettings = $state.raw(structuredClone(DEFAULT_UI_SETTINGS));
  /** The last write failed (shown as a notice by the app). */
  writeError: string | null = $state(null);
  readonly #backend: Backend;
  #pending: Partial<UiSettings> = {};
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  async load(): Promise<void> {
    this.value = { ...DEFAULT_UI_SETTINGS, ...(await this.#backend.call('settings.get', null)) };
  }

  /** Changes settings now and schedules the write. */
  update(patch: Partial<UiSettings>): void {
    this.value = { ...this.value, ...patch };
    this.#pending = { ...this.#pending, ...patch };
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), SETTINGS_WRITE_DELAY_MS);
  }

  /** Sets one tab's filter (an empty filter removes the entry). */
  setTabFilter(tabId: string, filter: FilterSpec): void {
    const tabFilters = { ...this.value.tabFilters };
    if (Object.keys(filter).length === 0) delete tabFilters[tabId];
    else tabFilters[tabId] = filter;
    this.update({ tabFilters });
  }

  /** Writes pending changes now. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const patch = this.#pending;
    this.#pending = {};
    if (Object.keys(patch).length === 0) return;
    try {
      await this.#backend.call('settings.set', patch);
      this.writeError = null;
    } catch (error) {
      this.writeError = `Settings were not saved: ${errorMessage(error)}`;
    }
  }
}
