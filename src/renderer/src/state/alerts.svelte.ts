/**
 * Recent alerts (newest first), which hubs are muted, and how many arrived since the
 * operator last looked at the Alerts panel.
 */
import type { Alert, AlertRule } from '../../../shared/alerts';

/** Alerts kept in the panel. */
export const ALERTS_KEPT = 500;

/** Recent alerts and per-hub mutes. */
export class AlertsStore {
  list: Alert[] = $state.raw([]);
  muted: string[] = $state.raw([]);
  rules: AlertRule[] = $state.raw([]);
  /** New alerts since the panel was last opened. */
  unseen = $state(0);

  replaceAll(state: { alerts: Alert[]; muted: string[]; rules: AlertRule[] }): void {
    this.list = [...state.alerts].sort((a, b) => b.lastAt - a.lastAt).slice(0, ALERTS_KEPT);
    this.muted = state.muted;
    this.rules = state.rules;
  }

  /** A pushed alert: new ones go on top; a storm's later events update its count in place. */
  receive(alert: Alert, isNew: boolean): void {
    const existing = this.list.findIndex((candidate) => candidate.id === alert.id);
    if (existing >= 0) {
      this.list = [alert, ...this.list.slice(0, existing), ...this.list.slice(existing + 1)];
    } else {
      this.list = [alert, ...this.list].slice(0, ALERTS_KEPT);
    }
    if (isNew) this.unseen++;
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
