/**
 * The live state of the things hubs report on, derived from their events by the engine
 * and shown in the Bots, Servers, Sessions, Tasks and Commands views.
 */
import type { EntityType, JsonValue } from './hub-event';

interface EntityBase {
  /** `hub` + type + id: unique across hubs. */
  key: string;
  hub: string;
  type: EntityType;
  id: string;
  firstSeenAt: number;
  lastEventAt: number;
  /** Seq of the latest event about it (to jump to it). */
  lastSeq: number;
  events: number;
}

export interface BotState extends EntityBase {
  type: 'bot';
  status: string | null;
  /** The latest `session` snapshot, as received. */
  snapshot: { [key: string]: JsonValue } | null;
  errors: number;
  warnings: number;
}

export interface ServerState extends EntityBase {
  type: 'server';
  status: string | null;
  statusSince: number | null;
  crashes: { at: number; reason: string | null; exitCode: number | null; seq: number }[];
  deleted: boolean;
}

export type SessionPhase = 'preparing' | 'pulling' | 'creating' | 'started' | 'terminated';

export interface SessionState extends EntityBase {
  type: 'session';
  phase: SessionPhase | null;
  /** Each phase entered, in order, with when. Durations are the differences. */
  phases: { phase: SessionPhase; at: number }[];
  result: string | null;
  reason: string | null;
  ownerAccessKey: string | null;
}

export type TaskOutcome = 'running' | 'done' | 'failed' | 'cancelled';

export interface TaskState extends EntityBase {
  type: 'task';
  current: number;
  total: number;
  message: string | null;
  outcome: TaskOutcome;
  startedAt: number;
  finishedAt: number | null;
}

export interface CommandLine {
  seq: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface CommandState extends EntityBase {
  type: 'command';
  /** The command line, when Hubwatch started it. */
  command: string | null;
  /** `detached`: Hubwatch stopped following it (a new command was started on the hub). */
  status: 'running' | 'completed' | 'failed' | 'detached';
  exitCode: number | null;
  durationMs: number | null;
  errorMessage: string | null;
  /** The latest output lines (bounded). */
  lines: CommandLine[];
  /** Lines dropped from the front because of the bound. */
  linesDropped: number;
}

export type EntityState = BotState | ServerState | SessionState | TaskState | CommandState;

/** Lines a command view keeps. */
export const COMMAND_LINES_KEPT = 2000;
/** Crashes a server keeps in its history. */
export const SERVER_CRASHES_KEPT = 50;

export function entityKey(hub: string, type: EntityType, id: string): string {
  return `${hub}\u0000${type}\u0000${id}`;
}
