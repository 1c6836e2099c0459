/**
 * Rows of one view fetched by index, for the part of the list that is not the live tail.
 * Valid for one view version only: when the engine bumps the version (rescan, compaction)
 * indexes shift and every cached row is dropped. Bounded: the least recently stored rows go
 * first, so scrolling through a million rows keeps memory flat.
 */
import type { ListRow } from '../../../shared/event-row';

/** Rows fetched per `view.rows` call. */
export const ROW_PAGE_SIZE = 200;

/** Cached rows of one view version, by index, bounded. */
export class RowCache {
  private rows = new Map<number, ListRow>();
  private inFlight = new Set<number>();
  private currentVersion = -1;

  constructor(private readonly capacity = 10_000) {}

  /** The version the cached rows belong to. */
  get version(): number {
    return this.currentVersion;
  }

  get size(): number {
    return this.rows.size;
  }

  /** Drops every row if `version` differs from the cached one. Returns true when it did. */
  reset(version: number): boolean {
    if (version === this.currentVersion) return false;
    this.currentVersion = version;
    this.rows = new Map();
    this.inFlight = new Set();
    return true;
  }

  /** Marks a page as being fetched; false when it already is (for this version). */
  startFetch(page: number): boolean {
    if (this.inFlight.has(page)) return false;
    this.inFlight.add(page);
    return true;
  }

  /** A page fetch ended (stored or failed) for `version`. */
  endFetch(page: number, version: number): void {
    if (version === this.currentVersion) this.inFlight.delete(page);
  }

  /** Stores rows starting at index `start`, if they belong to the cached version. */
  put(start: number, rows: readonly ListRow[], version: number): boolean {
    if (version !== this.currentVersion) return false;
    for (let i = 0; i < rows.length; i++) {
      const index = start + i;
      // Re-inserting moves a row to the young end of the eviction order.
      this.rows.delete(index);
      this.rows.set(index, rows[i]!);
    }
    if (this.rows.size > this.capacity) {
      let excess = this.rows.size - this.capacity;
      for (const key of this.rows.keys()) {
        if (excess-- <= 0) break;
        this.rows.delete(key);
      }
    }
    return true;
  }

  get(index: number): ListRow | undefined {
    return this.rows.get(index);
  }

  /**
   * Starts of the pages (of `pageSize`) holding a row of `first…first+count-1`, below
   * `total`, that is neither cached nor `covered` (held elsewhere, like the live tail).
   */
  missingPages(
    first: number,
    count: number,
    total: number,
    pageSize = ROW_PAGE_SIZE,
    covered: (index: number) => boolean = () => false,
  ): number[] {
    const pages: number[] = [];
    const end = Math.min(total, first + count);
    for (let index = Math.max(0, first); index < end; index++) {
      if (this.rows.has(index) || covered(index)) continue;
      const page = Math.floor(index / pageSize) * pageSize;
      if (pages[pages.length - 1] !== page) pages.push(page);
      index = Math.max(index, page + pageSize - 1);
    }
    return pages;
  }
}
