/**
 * Alert rules → alerts, with coalescing (a storm of matching events within a rule's window
 * is one alert whose count grows) and per-hub mute.
 */
import { DEFAULT_ALERT_RULES, type Alert, type AlertRule } from '../../../shared/alerts';
import { compileFilter } from '../../../shared/filter';
import type { EngineEvent } from '../event-record';
import { recordAccessor } from '../store/store';

/** An event's message as an alert may show it (redacted: see `Redactor.message`). */
export type AlertMessageOf = (event: EngineEvent) => string | null;

/** Alerts kept for the panel. */
export const ALERTS_KEPT = 500;

export interface AlertSink {
  /** A new alert: notify the operator. */
  raised(alert: Alert): void;
  /** An existing alert absorbed more events (no new notification). */
  updated(alert: Alert): void;
}

interface CompiledRule {
  rule: AlertRule;
  test: (event: EngineEvent) => boolean;
  /** The dialects the rule is limited to, checked before the full test (most events stop here). */
  dialects: Set<string> | null;
  events: Set<string> | null;
}

/** The alert engine's state as it is saved with the history. */
export interface AlertSnapshot {
  recent: Alert[];
  /** Coalescing alerts: rule-and-hub key → alert id. */
  open: [string, string][];
  nextId: number;
}

export class AlertEngine {
  private compiled: CompiledRule[] = [];
  private readonly open = new Map<string, Alert>();
  private readonly recent: Alert[] = [];
  private readonly muted = new Set<string>();
  private nextId = 1;
  suppressed = 0;

  constructor(
    private readonly sink: AlertSink,
    private readonly dialectOf: (hub: string) => string,
    rules: readonly AlertRule[] = DEFAULT_ALERT_RULES,
    private readonly now: () => number = Date.now,
    /**
     * The message an alert shows. An alert's title is filled in from the event's hub,
     * entity id and event name as they are and this message, so it is built from redacted
     * parts and never needs redacting as a whole (which would rewrite the identities in it).
     */
    private readonly messageOf: AlertMessageOf = (event) => event.message,
  ) {
    this.setRules(rules);
  }

  /** Replaces the rules; throws naming the rule when one does not compile. */
  setRules(rules: readonly AlertRule[]): void {
    const access = recordAccessor(this.dialectOf);
    const compiled: CompiledRule[] = [];
    for (const rule of rules) {
      const result = compileFilter(rule.match, access);
      if (!result.ok) throw new Error(`alert rule "${rule.id}": ${result.field}: ${result.error}`);
      if (rule.enabled) {
        compiled.push({
          rule,
          test: result.test,
          dialects:
            rule.match.dialects && rule.match.dialects.length > 0 ? new Set(rule.match.dialects) : null,
          events:
            rule.match.events && rule.match.events.length > 0 && !rule.match.invert
              ? new Set(rule.match.events)
              : null,
        });
      }
    }
    this.compiled = compiled;
  }

  rules(): AlertRule[] {
    return this.compiled.map((entry) => entry.rule);
  }

  setMuted(hub: string, muted: boolean): void {
    if (muted) this.muted.add(hub);
    else this.muted.delete(hub);
  }

  mutedHubs(): string[] {
    return [...this.muted];
  }

  /** The most recent alerts, newest last. */
  list(): Alert[] {
    return [...this.recent];
  }

  /** What restarts with the history: the alert list, the alerts still coalescing, the next id. */
  snapshot(): AlertSnapshot {
    return {
      recent: this.list(),
      open: [...this.open].map(([key, alert]) => [key, alert.id]),
      nextId: this.nextId,
    };
  }

  /** Takes a saved snapshot back (the engine rebuilds from the history before it starts). */
  restore(snapshot: AlertSnapshot): void {
    this.recent.length = 0;
    this.open.clear();
    this.recent.push(...snapshot.recent.slice(-ALERTS_KEPT));
    const byId = new Map(this.recent.map((alert) => [alert.id, alert]));
    for (const [key, id] of snapshot.open) {
      const alert = byId.get(id);
      if (alert) this.open.set(key, alert);
    }
    this.nextId = Math.max(this.nextId, snapshot.nextId);
  }

  /**
   * Checks one event against every rule (hot path: most events fail the first check).
   * `at` is when it happened (now, or the event's own receive time when rebuilt from history).
   */
  check(event: EngineEvent, at?: number): void {
    if (event.gap) return;
    let dialect: string | undefined;
    for (const { rule, test, dialects, events } of this.compiled) {
      if (events !== null && !events.has(event.event)) continue;
      if (dialects !== null && !dialects.has((dialect ??= this.dialectOf(event.hub)))) continue;
      if (!test(event)) continue;
      if (this.muted.has(event.hub)) {
        this.suppressed++;
        continue;
      }
      this.raise(rule, event, at ?? this.now());
    }
  }

  private raise(rule: AlertRule, event: EngineEvent, now: number): void {
    const key = `${rule.id}\u0000${event.hub}`;
    const existing = this.open.get(key);
    if (existing && now - existing.firstAt <= rule.coalesceMs) {
      existing.count++;
      existing.lastAt = now;
      this.sink.updated({ ...existing });
      return;
    }
    const entity = event.entity;
    const message = this.messageOf(event);
    const alert: Alert = {
      id: `a${this.nextId++}`,
      ruleId: rule.id,
      ruleName: rule.name,
      hub: event.hub,
      entity,
      severity: rule.severity,
      title: fillTemplate(rule.title, event, message),
      body: message ?? event.event,
      count: 1,
      firstAt: now,
      lastAt: now,
      event: { hub: event.hub, seq: event.seq },
    };
    this.open.set(key, alert);
    this.recent.push(alert);
    if (this.recent.length > ALERTS_KEPT) this.recent.splice(0, this.recent.length - ALERTS_KEPT);
    this.sink.raised({ ...alert });
  }
}

function fillTemplate(template: string, event: EngineEvent, message: string | null): string {
  return template.replace(/\{(hub|entity|message|event)\}/g, (_match, name: string) => {
    switch (name) {
      case 'hub':
        return event.hub;
      case 'entity':
        return event.entity?.id ?? '';
      case 'message':
        return message ?? '';
      default:
        return event.event;
    }
  });
}
