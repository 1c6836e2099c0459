/**
 * What a filter matches in a store right now, read through the store's own walk in arrival
 * order — for tests that check what the store holds without going through a view or an export.
 */
import type { EventStore } from '../../src/main/engine/store/store';
import type { EventRow } from '../../src/shared/event-row';
import type { FilterSpec } from '../../src/shared/filter';

/** The list rows `spec` matches, oldest first (across hubs, in arrival order). */
export function matchingRows(store: EventStore, spec: FilterSpec = {}): EventRow[] {
  const compiled = store.compileFor(spec, store.allRings());
  if (!Array.isArray(compiled)) throw new Error(`${compiled.field}: ${compiled.error}`);
  const tests = new Map(compiled.map(({ ring, test }) => [ring, test]));
  const rows: EventRow[] = [];
  for (const hit of store.walk([...tests.keys()])) {
    if (tests.get(hit.ring)!(hit.slot)) rows.push(hit.ring.rowAt(hit.slot));
  }
  return rows;
}

/** How many events `spec` matches. */
export function matchCount(store: EventStore, spec: FilterSpec = {}): number {
  return matchingRows(store, spec).length;
}
