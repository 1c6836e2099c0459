/**
 * The live entities (bots, servers, sessions, tasks, commands): the full list once, then
 * the engine's pushed deltas (changed states replace, removed keys go).
 */
import type { EntityState } from '../../../shared/entities';
import type { EntityType } from '../../../shared/hub-event';
import { applyEntityDeltas, groupEntities, indexEntities, type EntityIndex } from '../lib/entity-index';
import type { FrameScheduler } from '../lib/frame-scheduler';

type EntityDelta = { changed: readonly EntityState[]; removed: readonly string[] };

/** Live entities, kept current from pushed deltas. */
export class EntitiesStore {
  byKey: EntityIndex = $state.raw(indexEntities([]));
  /** Entities grouped by type, in arrival order. */
  byType: Record<EntityType, EntityState[]> = $derived.by(() => groupEntities(this.byKey));
  readonly #scheduler: FrameScheduler | null;
  #pending: EntityDelta[] = [];
  readonly #flushQueued = () => this.#flush();

  /** Without a scheduler, deltas apply at once (tests). */
  constructor(scheduler: FrameScheduler | null = null) {
    this.#scheduler = scheduler;
  }

  /** Replaces everything (first load, reconnect). */
  replaceAll(list: readonly EntityState[]): void {
    this.#pending = [];
    this.byKey = indexEntities(list);
  }

  /** Applies a pushed delta (with any others that arrive before the next frame). */
  apply(delta: EntityDelta): void {
    this.#pending.push(delta);
    if (this.#scheduler) this.#scheduler.schedule(this.#flushQueued);
    else this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.byKey = applyEntityDeltas(this.byKey, this.#pending);
    this.#pending = [];
  }

  get(key: string): EntityState | undefined {
    return this.byKey.get(key);
  }

  ofType<T extends EntityType>(type: T): Extract<EntityState, { type: T }>[] {
    return this.byType[type] as Extract<EntityState, { type: T }>[];
  }
}
