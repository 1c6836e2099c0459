/**
 * What an event says about the entity it names, as its dialect read it from the payload.
 * The entity tracker applies these and knows no payload shape; a dialect whose events name
 * entities reads its own payloads (`Dialect.entityUpdate`). Every field is optional: an
 * event may say no more than that its entity was active.
 */
import type { SessionPhase, TaskOutcome } from '../../shared/entities';
import type { HubEvent, JsonValue } from '../../shared/hub-event';

/** A bot's latest snapshot (`GET /api/bots/{id}`'s shape) and the status it gives. */
export interface BotUpdate {
  type: 'bot';
  snapshot?: { [key: string]: JsonValue };
  status?: string;
}

/** A server's new status, or a crash or deletion (each of which is also its status). */
export interface ServerUpdate {
  type: 'server';
  status?: string;
  crash?: { reason: string | null; exitCode: number | null };
  deleted?: true;
}

/** A session's lifecycle step and what it says about the session. */
export interface SessionUpdate {
  type: 'session';
  phase?: SessionPhase;
  reason?: string;
  ownerAccessKey?: string;
  result?: string;
}

/** A background task's progress, and how it ended once it has. */
export interface TaskUpdate {
  type: 'task';
  current?: number;
  total?: number;
  message?: string;
  outcome?: Exclude<TaskOutcome, 'running'>;
}

/** A command's output line, its end, or an error it reported. */
export interface CommandUpdate {
  type: 'command';
  output?: { stream: 'stdout' | 'stderr'; line: string };
  complete?: { exitCode: number | null; durationMs: number | null };
  errorMessage?: string | null;
}

/** What one event changes about its entity. */
export type EntityUpdate = BotUpdate | ServerUpdate | SessionUpdate | TaskUpdate | CommandUpdate;

/** The parts of a record an entity reader looks at (live records and stored ones alike). */
export type EntityEvent = Pick<HubEvent, 'event' | 'entity' | 'data' | 'message'>;

/** Reads what a record changes about its entity; `null` when it changes nothing beyond activity. */
export type EntityReader = (event: EntityEvent) => EntityUpdate | null;
