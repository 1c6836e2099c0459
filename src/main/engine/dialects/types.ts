import type { DialectId, HubConfig } from '../../../shared/hub-config';
import type { EntityReader } from '../entity-update';
import type { MappedEvent } from '../event-record';
import type { Frame, StreamPlan } from '../transports/types';
import type { ResolvedAuth } from '../transports/auth';

/** What a dialect gets to build a hub's connection. */
export interface DialectContext {
  /** The hub's auth with every secret resolved to its value. */
  auth: ResolvedAuth;
  /** `fetch` to use for side requests (rdev's POST); tests may pass their own. */
  fetch: typeof fetch;
  /** Current time in epoch ms (Backend.AI signs with it). */
  now(): number;
  /** What this hub's earlier run stored (after a restart, from the history). */
  resume?: DialectResume;
}

/** The end of a hub's stored records, for a dialect that must pick up where it was. */
export interface DialectResume {
  /** The name of the last stored event (e.g. rdev `complete`). */
  lastEvent: string | null;
  /** The entity of the last stored event that had one (rdev: the command's stream id). */
  lastEntityId: string | null;
}

/** One hub's dialect instance: how to connect, and how to read its frames. */
export interface HubDialect {
  plan: StreamPlan;
  /** Maps one frame to the record fields. Never throws: anything unreadable is kept and marked. */
  map(frame: Frame): MappedEvent;
}

/** A hub kind. */
export interface Dialect {
  id: DialectId;
  create(hub: HubConfig, context: DialectContext): HubDialect;
  /**
   * What a record of this dialect says about the entity it names, read from its payload.
   * A function of the record alone, so records restored from a history read the same as
   * live ones. Absent for a dialect whose events name no entities.
   */
  entityUpdate?: EntityReader;
}
