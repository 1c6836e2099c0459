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

/** The rules every installation starts with: the dialects' own (see dialect-catalog.ts). */
export { DEFAULT_ALERT_RULES } from './dialect-catalog';
