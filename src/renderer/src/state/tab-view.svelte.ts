/**
 * What one tab's event list shows: a live view on the engine (its id, filter, total and
 * version), the tail the engine pushes, rows fetched by index for the rest, and whether
 * the operator is following the tail or has paused to read.
 *
 * Pushes are coalesced: however many arrive between two frames, the reactive state (and
 * so the DOM) changes once per frame. Indexes are only valid for one view version: when
 * it changes, cached rows are dropped and a paused list finds its place again by the
 * arrival number `g` of the row it was showing (`view.indexOf`).
 */
import { ApiCallError, type Backend, type ViewUpdate } from '../../../shared/api';
import type { ListRow } from '../../../shared/event-row';
import { filterError, type FilterSpec } from '../../../shared/filter';
import { errorMessage } from '../backend/call-result';
import { scopedFilter } from '../lib/filter-draft';
import type { FrameScheduler } from '../lib/frame-scheduler';
import { ROW_PAGE_SIZE, RowCache } from '../lib/row-cache';

/** Rows the engine sends with each push: more than a tall window shows. */
export const TAIL_SIZE = 160;

export interface TabViewOptions {
  /** Tab id: `all`, a hub id, or a private id (entity views). */
  id: string;
  /** Hubs this tab is limited to; null for every hub. */
  scope: string[] | null;
  filter: FilterSpec;
  backend: Backend;
  scheduler: FrameScheduler;
  /** Called with the tab's filter whenever the operator changes it (to persist it). */
  onFilterChange?: (filter: FilterSpec) => void;
  /** Called with the rows of every applied push (the app collects seen event names). */
  onRows?: (rows: readonly ListRow[]) => void;
}

export interface FilterProblem {
  field: string;
  message: string;
}

/** One tab's list: its engine view, its rows, and whether it follows the tail. */
export class TabView {
  readonly id: string;
  readonly scope: string[] | null;

  /** The operator's filter (without the tab's hub scope). */
  filter: FilterSpec = $state.raw({});
  viewId: string | null = $state(null);
  total = $state(0);
  version = $state(-1);
  scanning = $state(false);
  progress = $state(1);
  /** Following the tail (false: paused by the operator). */
  following = $state(true);
  /** Matches that arrived while paused. */
  newSincePause = $state(0);
  /** The filter the engine refused (or that does not compile), by part. */
  filterProblem: FilterProblem | null = $state(null);
  /** Opening the view failed (the backend is unreachable…). */
  openError: string | null = $state(null);
  /** Bumped whenever rows in the window change: the list re-reads them. */
  rowsRevision = $state(0);
  /** Where the list must scroll to (after re-anchoring or locating an event). */
  scrollRequest: { index: number; token: number } | null = $state(null);
  /** The rows the list shows (index of the first, how many). */
  viewport = $state.raw({ first: 0, count: 0 });

  readonly #backend: Backend;
  readonly #scheduler: FrameScheduler;
  readonly #onFilterChange: ((filter: FilterSpec) => void) | undefined;
  readonly #onRows: ((rows: readonly ListRow[]) => void) | undefined;
  readonly #cache = new RowCache();
  #tail: ListRow[] = [];
  #tailStart = 0;
  #queued: ViewUpdate | null = null;
  #queuedAppended = 0;
  #opening: Promise<void> | null = null;
  #filterToken = 0;
  #scrollToken = 0;
  #closed = false;
  readonly #flushQueued = () => this.#flush();

  constructor(options: TabViewOptions) {
    this.id = options.id;
    this.scope = options.scope;
    this.filter = options.filter;
    this.#backend = options.backend;
    this.#scheduler = options.scheduler;
    this.#onFilterChange = options.onFilterChange;
    this.#onRows = options.onRows;
  }

  /** The filter the engine runs for this tab: the operator's, limited to the tab's hubs. */
  get effectiveFilter(): FilterSpec {
    return scopedFilter(this.filter, this.scope);
  }

  get paused(): boolean {
    return !this.following;
  }

  /** Opens the engine view (once; again after `reset`). */
  open(): Promise<void> {
    this.#closed = false;
    if (this.viewId !== null) return Promise.resolve();
    this.#opening ??= this.#open().finally(() => {
      this.#opening = null;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    this.openError = null;
    let update: ViewUpdate;
    try {
      update = await this.#backend.call('view.open', { filter: this.effectiveFilter, tailSize: TAIL_SIZE });
    } catch (error) {
      if (error instanceof ApiCallError && error.field !== undefined) {
        // A saved filter the engine no longer accepts: show why, and open unfiltered.
        this.filterProblem = { field: problemField(error.field), message: error.message };
        try {
          update = await this.#backend.call('view.open', {
            filter: scopedFilter({}, this.scope),
            tailSize: TAIL_SIZE,
          });
        } catch (retryError) {
          this.openError = errorMessage(retryError);
          return;
        }
      } else {
        this.openError = errorMessage(error);
        return;
      }
    }
    if (this.#closed) {
      // Closed while opening: the engine must not keep a view nobody reads.
      this.#backend.call('view.close', { viewId: update.viewId }).catch(() => undefined);
      return;
    }
    this.viewId = update.viewId;
    this.#apply(update, 0);
  }

  /** Closes the engine view; the tab keeps its filter and can be opened again. */
  close(): void {
    this.#closed = true;
    const viewId = this.viewId;
    this.#forget();
    if (viewId !== null) this.#backend.call('view.close', { viewId }).catch(() => undefined);
  }

  /** The connection was lost and is back: the engine forgot the view, open a new one. */
  async reopen(): Promise<void> {
    this.#forget();
    this.#closed = false;
    await this.open();
  }

  #forget(): void {
    this.viewId = null;
    this.version = -1;
    this.#queued = null;
    this.#queuedAppended = 0;
    this.#tail = [];
    this.#tailStart = 0;
    this.#cache.reset(-1);
  }

  /** A pushed update; applied at the next frame together with any others that arrive before it. */
  receive(update: ViewUpdate): void {
    if (update.viewId !== this.viewId) return;
    if (update.version < this.version) return;
    this.#queuedAppended += update.appended;
    if (this.#queued === null || update.version >= this.#queued.version) this.#queued = update;
    this.#scheduler.schedule(this.#flushQueued);
  }

  #flush(): void {
    const update = this.#queued;
    if (update === null) return;
    const appended = this.#queuedAppended;
    this.#queued = null;
    this.#queuedAppended = 0;
    if (update.viewId !== this.viewId || update.version < this.version) return;
    this.#apply(update, appended);
  }

  #apply(update: ViewUpdate, appended: number): void {
    const versionChanged = update.version !== this.version;
    const anchor = versionChanged && !this.following && this.version >= 0 ? this.#anchorG() : null;
    if (versionChanged) {
      this.#cache.reset(update.version);
    }
    this.version = update.version;
    this.total = update.total;
    this.scanning = update.scanning;
    this.progress = update.progress;
    // The tail is read in place, never copied into the cache: at thousands of events a
    // second that would push a paused window's rows out of the cache as fast as they arrive.
    this.#tail = update.tail;
    this.#tailStart = update.tailStart;
    if (!this.following) this.newSincePause += appended;
    this.rowsRevision++;
    if (update.tail.length > 0) this.#onRows?.(update.tail);
    if (anchor !== null) void this.#reanchor(anchor, update.version);
    else if (!this.following) this.#ensureRows();
  }

  /** The arrival number of the first event row the list shows (null: none). */
  #anchorG(): number | null {
    const { first, count } = this.viewport;
    for (let index = first; index < first + count; index++) {
      const row = this.#rowAt(index);
      if (row?.kind === 'event') return row.g;
    }
    return null;
  }

  async #reanchor(g: number, version: number): Promise<void> {
    const viewId = this.viewId;
    if (viewId === null) return;
    let index: number;
    try {
      index = await this.#backend.call('view.indexOf', { viewId, g });
    } catch {
      return;
    }
    if (this.version !== version || this.viewId !== viewId) return;
    this.requestScroll(index < 0 ? Math.max(0, this.total - 1) : index);
  }

  /** Asks the list to scroll so that `index` is the first visible row. */
  requestScroll(index: number): void {
    this.scrollRequest = { index, token: ++this.#scrollToken };
  }

  /** The list reports which rows it shows; rows not in the tail or cache are fetched. */
  setViewport(first: number, count: number): void {
    if (first !== this.viewport.first || count !== this.viewport.count) this.viewport = { first, count };
    this.#ensureRows();
  }

  /** The row at `index` (undefined while it is being fetched). Reactive through `rowsRevision`. */
  rowAt(index: number): ListRow | undefined {
    void this.rowsRevision;
    return this.#rowAt(index);
  }

  /** The rows `first…first+count-1` (holes while fetching). Reactive through `rowsRevision`. */
  rowsIn(first: number, count: number): (ListRow | undefined)[] {
    void this.rowsRevision;
    const rows: (ListRow | undefined)[] = [];
    const end = Math.min(this.total, first + count);
    for (let index = Math.max(0, first); index < end; index++) rows.push(this.#rowAt(index));
    return rows;
  }

  #rowAt(index: number): ListRow | undefined {
    const inTail = index - this.#tailStart;
    if (inTail >= 0 && inTail < this.#tail.length) return this.#tail[inTail];
    return this.#cache.get(index);
  }

  #ensureRows(): void {
    const viewId = this.viewId;
    if (viewId === null) return;
    const { first, count } = this.viewport;
    // Fetch a little beyond the window so scrolling a page at a time finds rows ready.
    const from = Math.max(0, first - count);
    const span = count * 3;
    const version = this.version;
    const tailStart = this.#tailStart;
    const tailEnd = tailStart + this.#tail.length;
    const inTail = (index: number) => index >= tailStart && index < tailEnd;
    for (const start of this.#cache.missingPages(from, span, this.total, ROW_PAGE_SIZE, inTail)) {
      if (!this.#cache.startFetch(start)) continue;
      this.#backend
        .call('view.rows', { viewId, start, count: ROW_PAGE_SIZE })
        .then((answer) => {
          this.#cache.endFetch(start, version);
          if (this.viewId !== viewId) return;
          if (this.#cache.put(start, answer.rows, answer.version)) this.rowsRevision++;
        })
        .catch(() => {
          this.#cache.endFetch(start, version);
        });
    }
  }

  /** Stops following the tail (Space, or scrolling up). */
  pause(): void {
    if (!this.following) return;
    this.following = false;
    this.newSincePause = 0;
    // Keep what is on screen: the tail moves on, these rows must not need a fetch.
    this.#cache.put(this.#tailStart, this.#tail, this.version);
  }

  /** Follows the tail again (End, the "new events" pill, Space). */
  jumpToLive(): void {
    this.following = true;
    this.newSincePause = 0;
  }

  togglePause(): void {
    if (this.following) this.pause();
    else this.jumpToLive();
  }

  /**
   * Applies a new filter: checked locally first (an invalid regex or expression is
   * reported, never sent), then the engine rescans. The list follows the tail again.
   */
  async setFilter(filter: FilterSpec): Promise<void> {
    const local = filterError(filter);
    if (local) {
      this.filterProblem = { field: local.field, message: local.error };
      return;
    }
    this.filter = filter;
    this.filterProblem = null;
    this.following = true;
    this.newSincePause = 0;
    this.#onFilterChange?.(filter);
    const viewId = this.viewId;
    if (viewId === null) return;
    const token = ++this.#filterToken;
    this.scanning = true;
    this.progress = 0;
    try {
      const update = await this.#backend.call('view.setFilter', { viewId, filter: this.effectiveFilter });
      if (token !== this.#filterToken || this.viewId !== viewId) return;
      if (update.version >= this.version) this.#apply(update, 0);
    } catch (error) {
      if (token !== this.#filterToken) return;
      this.scanning = false;
      this.filterProblem = {
        field: error instanceof ApiCallError && error.field ? problemField(error.field) : 'filter',
        message: errorMessage(error),
      };
    }
  }

  /** Finds an event's index in this view (to scroll to it); -1 when the view does not hold it. */
  async locate(event: { hub: string; seq: number }): Promise<number> {
    const viewId = this.viewId;
    if (viewId === null || this.total === 0) return -1;
    return this.#backend.call('view.indexOfEvent', { viewId, hub: event.hub, seq: event.seq });
  }
}

/** The filter part an engine error names (`filter.regex` → `regex`). */
function problemField(field: string): string {
  return field.replace(/^filter\./, '');
}
