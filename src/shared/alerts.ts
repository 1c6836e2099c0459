/**
 * Alert rules and alerts: when an event matches a rule, the operator is told — in the
 * Alerts panel, as a desktop notification, and in `hubwatch capture --alerts FILE`.
 */
import type { FilterSpec } from './filter';
import type { EntityRef } from './hub-event';

export interface AlertRule {
  id: string;
  name: string;
  enabled: boolean;
  /** Which events raise it (the same filter language as the tabs). */
  match: FilterSpec;
  /** Notification title; `{hub}`, `{entity}`, `{message}`, `{event}` are filled in. */
  title: string;
  /** Events of the same rule and hub within this window become one alert with a count. */
  coalesceMs: number;
  severity: 'error' | 'warn';
}

export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  hub: string;
  entity: EntityRef | null;
  severity: 'error' | 'warn';
  title: string;
  /** The first event's message. */
  body: string;
  /** Events this alert stands for (a storm is one alert). */
  count: number;
  firstAt: number;
  lastAt: number;
  /** The first event, to jump to. */
  event: { hub: string; seq: number };
}

/** The rules every installation starts with. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  {
    id: 'protocube-crash',
    name: 'Server crashed',
    enabled: true,
    match: { dialects: ['protocube'], events: ['crash'] },
    title: 'Server {entity} crashed on {hub}',
    coalesceMs: 30_000,
    severity: 'error',
  },
  {
    id: 'backendai-session-terminated',
    name: 'Session terminated',
    enabled: true,
    match: { dialects: ['backendai'], events: ['session_terminated'] },
    title: 'Session {entity} terminated on {hub}',
    coalesceMs: 30_000,
    severity: 'warn',
  },
  {
    id: 'backendai-task-failed',
    name: 'Background task failed',
    enabled: true,
    match: { dialects: ['backendai'], events: ['task_failed', 'tak_failed', 'task_fail'] },
    title: 'Background task {entity} failed on {hub}',
    coalesceMs: 30_000,
    severity: 'error',
  },
  {
    id: 'rdev-nonzero-exit',
    name: 'Command failed',
    enabled: true,
    match: { dialects: ['rdev'], events: ['complete'], where: 'data.exit_code != 0' },
    title: 'Command {entity} on {hub} exited non-zero',
    coalesceMs: 30_000,
    severity: 'error',
  },
];
