/**
 * The entity index as immutable snapshots: the store swaps in a new map per pushed delta
 * (a few hundred entities, four times a second), so views re-read only when it changed.
 */
import type { EntityState } from '../../../shared/entities';
import type { EntityType } from '../../../shared/hub-event';

export type EntityIndex = ReadonlyMap<string, EntityState>;

/** An index of `list` by entity key. */
export function indexEntities(list: readonly EntityState[]): EntityIndex {
  return new Map(list.map((entity) => [entity.key, entity]));
}

/** The index after a pushed delta: changed states replace, removed keys go. The input is not modified. */
export function applyEntityDelta(
  index: EntityIndex,
  delta: { changed: readonly EntityState[]; removed: readonly string[] },
): EntityIndex {
  return applyEntityDeltas(index, [delta]);
}

/** The index after several deltas in order, copying it once (deltas are coalesced per frame). */
export function applyEntityDeltas(
  index: EntityIndex,
  deltas: readonly { changed: readonly EntityState[]; removed: readonly string[] }[],
): EntityIndex {
  if (deltas.every((delta) => delta.changed.length === 0 && delta.removed.length === 0)) return index;
  const next = new Map(index);
  for (const delta of deltas) {
    for (const key of delta.removed) next.delete(key);
    for (const entity of delta.changed) next.set(entity.key, entity);
  }
  return next;
}

/** Entities grouped by type, in index order. */
export function groupEntities(index: EntityIndex): Record<EntityType, EntityState[]> {
  const groups: Record<EntityType, EntityState[]> = {
    bot: [],
    server: [],
    session: [],
    task: [],
    command: [],
  };
  for (const entity of index.values()) groups[entity.type].push(entity);
  return groups;
}

/** Distinct ids of entities (of hubs in `scope`, when given), sorted, at most `limit`. */
export function entityIds(
  entities: readonly EntityState[],
  scope: readonly string[] | null,
  limit = 300,
): string[] {
  const ids = new Set<string>();
  for (const entity of entities) if (scope === null || scope.includes(entity.hub)) ids.add(entity.id);
  return [...ids].sort().slice(0, limit);
}
