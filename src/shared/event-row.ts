import type { EntityRef, Level } from './hub-event';

/**
 * One line of the live event list: a HubEvent without its payload (the detail pane asks
 * for the full record), plus the engine's global arrival order `g`.
 */
export interface EventRow {
  kind: 'event';
  /** Global arrival order across all hubs: the merged timeline's order. */
  g: number;
  hub: string;
  seq: number;
  receivedAt: number;
  time: number;
  event: string;
  id: string | null;
  level: Level;
  source: string | null;
  entity: EntityRef | null;
  message: string | null;
  /** The payload was expected to be JSON and was not (kept as text). */
  malformed: boolean;
  /** A gap marker: events may be missing here. */
  gap: boolean;
}

/** Rows the store no longer holds (its capacity was reached), shown inline as one marker. */
export interface EvictedRow {
  kind: 'evicted';
  count: number;
}

export type ListRow = EventRow | EvictedRow;
