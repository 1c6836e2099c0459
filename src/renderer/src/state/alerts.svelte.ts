/**
 * Recent alerts (newest first), which hubs are muted, and how many arrived since the
 * operator last looked at the Alerts panel.
 */
import type { Alert, AlertRule } from '../../../shared/alerts';
import { mergeAlerts } from '../lib/alert-list';
import type { FrameScheduler } from '../lib/frame-scheduler';

/** Alerts kept in the panel. */
export const ALERTS_KEPT = 500;

/** Recent alerts and per-hub mutes. */
export class AlertsStore {
  list: Alert[] = $state.raw([]);
  muted: string[] = $state.raw([]);
  rules: AlertRule[] = $state.raw([]);
  /** New alerts since the panel was last opened. */
  unseen = $state(0);
  readonly #scheduler: FrameScheduler | null;
  #pending: Alert[] = [];
  #pendingNew = 0;
  readonly #flushQueued = () => this.#flush();

  /** Without a scheduler, pushes apply at once (tests). */
  constructor(scheduler: FrameScheduler | null = null) {
    this.#scheduler = scheduler;
  }

  replaceAll(state: { alerts: Alert[]; muted: string[]; rules: AlertRule[] }): void {
    this.list = [...state.alerts].sort((a, b) => b.lastAt - a.lastAt).slice(0, ALERTS_KEPT);
    this.muted = state.muted;
    this.rules = state.rules;
  }

  /**
   * A pushed alert: new ones go on top, a storm's later events update its count. Applied
   * once per frame however many arrive (a storm sends one per event).
   */
  receive(alert: Alert, isNew: boolean): void {
    this.#pending.push(alert);
    if (isNew) this.#pendingNew++;
    if (this.#scheduler) this.#scheduler.schedule(this.#flushQueued);
    else this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.list = mergeAlerts(this.list, this.#pending, ALERTS_KEPT);
    this.unseen += this.#pendingNew;
    this.#pending = [];
    this.#pendingNew = 0;
  }

  markSeen(): void {
    this.unseen = 0;
  }

  setMuted(hub: string, muted: boolean): void {
    const others = this.muted.filter((id) => id !== hub);
    this.muted = muted ? [...others, hub] : others;
  }

  isMuted(hub: string): boolean {
    return this.muted.includes(hub);
  }
}
