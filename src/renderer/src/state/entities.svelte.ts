/**
 * The live entities (bots, servers, sessions, tasks, commands): the full list once, then
 * the engine's pushed deltas (changed states replace, removed keys go).
 */
import type { EntityState } from '../../../shared/entities';
import type { EntityType } from '../../../shared/hub-event';
import { applyEntityDelta, groupEntities, indexEntities, type EntityIndex } from '../lib/entity-index';

/** Live entities, kept current from pushed deltas. */
export class EntitiesStore {
  byKey: EntityIndex = $state.raw(indexEntities([]));
  /** Entities grouped by type, in arrival order. */
  byType: Record<EntityType, EntityState[]> = $derived.by(() => groupEntities(this.byKey));

  /** Replaces everything (first load, reconnect). */
  replaceAll(list: readonly EntityState[]): void {
    this.byKey = indexEntities(list);
  }

  /** Applies a pushed delta. */
  apply(delta: { changed: readonly EntityState[]; removed: readonly string[] }): void {
    this.byKey = applyEntityDelta(this.byKey, delta);
  }

  get(key: string): EntityState | undefined {
    return this.byKey.get(key);
  }

  ofType<T extends EntityType>(type: T): Extract<EntityState, { type: T }>[] {
    return this.byType[type] as Extract<EntityState, { type: T }>[];
  }
}
