/**
 * Event names seen per hub, collected from the rows the list receives, for the filter's
 * event picker. Not reactive itself: `add` says whether anything new was seen.
 */
import type { ListRow } from '../../../shared/event-row';

/** Event names seen, by hub. */
export class SeenEvents {
  private readonly byHub = new Map<string, Set<string>>();

  /** Notes the event names of `rows`; true when one was new. */
  add(rows: readonly ListRow[]): boolean {
    let added = false;
    for (const row of rows) {
      if (row.kind !== 'event') continue;
      let names = this.byHub.get(row.hub);
      if (!names) {
        names = new Set();
        this.byHub.set(row.hub, names);
      }
      if (!names.has(row.event)) {
        names.add(row.event);
        added = true;
      }
    }
    return added;
  }

  /** Names seen on any of `hubs`. */
  namesFor(hubs: readonly string[]): string[] {
    const names: string[] = [];
    for (const hub of hubs) for (const name of this.byHub.get(hub) ?? []) names.push(name);
    return names;
  }
}
