/**
 * The configured hubs with their live state and counters, as the engine last pushed them.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { HubSummary } from '../../../shared/api';
import { stateSeverity, type ConnectionState, type HubStats } from '../../../shared/connection-state';
import { LEVELS, type Level } from '../../../shared/hub-event';
import { indexHubs, orderHubs } from '../lib/hub-order';

/** Colours for hubs in the merged list, in tab order (CSS custom properties `--hub-0`…). */
export const HUB_COLOURS = 8;

/** The hubs as last pushed, by id and in tab order. */
export class HubsStore {
  list: HubSummary[] = $state.raw([]);
  /** True once the first list arrived (before that, "no hubs" means "not loaded"). */
  loaded = $state(false);
  byId: ReadonlyMap<string, HubSummary> = $derived.by(() => indexHubs(this.list));
  /**
   * Hubs removed here that the pushes still list: a push the engine sent before the removal
   * can arrive after it, and must not bring the hub (and its tab) back.
   */
  #removed: string[] = [];
  /**
   * Enabled switches the operator flipped that the pushes do not show yet: a push sent
   * before the change can arrive after it, and must not flip the switch back.
   */
  #enabling = new SvelteMap<string, boolean>();

  set(list: HubSummary[]): void {
    if (this.#removed.length > 0) {
      // Once a push no longer lists a removed hub, the engine has caught up with the removal.
      this.#removed = this.#removed.filter((id) => list.some((hub) => hub.id === id));
      list = list.filter((hub) => !this.#removed.includes(hub.id));
    }
    if (this.#enabling.size > 0) {
      list = list.map((hub) => {
        const expected = this.#enabling.get(hub.id);
        if (expected === undefined) return hub;
        // The engine has caught up once a push shows the change.
        if (hub.enabled === expected) {
          this.#enabling.delete(hub.id);
          return hub;
        }
        return { ...hub, enabled: expected };
      });
      for (const id of this.#enabling.keys())
        if (!list.some((hub) => hub.id === id)) this.#enabling.delete(id);
    }
    this.list = list;
    this.loaded = true;
  }

  /** Shows a hub enabled or not at once; pushes that predate the change keep showing it. */
  expectEnabled(id: string, enabled: boolean): void {
    this.#enabling.set(id, enabled);
    this.list = this.list.map((hub) => (hub.id === id ? { ...hub, enabled } : hub));
  }

  /** The change failed: show the hub as it was (`enabled`), and the pushes again. */
  forgetEnabled(id: string, enabled: boolean): void {
    this.#enabling.delete(id);
    this.list = this.list.map((hub) => (hub.id === id ? { ...hub, enabled } : hub));
  }

  /** Replaces one hub (after a save) without waiting for the next push. */
  upsert(hub: HubSummary): void {
    this.#removed = this.#removed.filter((id) => id !== hub.id);
    const index = this.list.findIndex((candidate) => candidate.id === hub.id);
    this.list =
      index < 0
        ? [...this.list, hub]
        : this.list.map((candidate) => (candidate.id === hub.id ? hub : candidate));
  }

  /** Drops a hub the engine has removed (the call succeeded), ahead of the next push. */
  remove(id: string): void {
    if (!this.#removed.includes(id)) this.#removed.push(id);
    this.list = this.list.filter((hub) => hub.id !== id);
  }

  /** Hubs in the operator's tab order; hubs not in it go last, in config order. */
  ordered(tabOrder: readonly string[]): HubSummary[] {
    return orderHubs(this.list, tabOrder);
  }
}

/** Events per level summed over hubs (the filter's level toggles). */
export function levelCounts(hubs: readonly HubSummary[]): Record<Level, number> {
  const counts = Object.fromEntries(LEVELS.map((level) => [level, 0])) as Record<Level, number>;
  for (const hub of hubs) for (const level of LEVELS) counts[level] += hub.stats.levels[level];
  return counts;
}

/** The worst state among hubs (for the All tab's dot). */
export function worstState(hubs: readonly HubSummary[]): ConnectionState | null {
  let worst: ConnectionState | null = null;
  for (const hub of hubs) {
    if (!hub.enabled) continue;
    if (worst === null || stateSeverity(hub.state) > stateSeverity(worst)) worst = hub.state;
  }
  return worst;
}

/** Counters summed over hubs. */
export function totalStats(hubs: readonly HubSummary[]): {
  events: number;
  rate: number;
  gaps: number;
  lastEventAt: number | null;
  reconnects: number;
} {
  let events = 0;
  let rate = 0;
  let gaps = 0;
  let reconnects = 0;
  let lastEventAt: number | null = null;
  for (const hub of hubs) {
    events += hub.stats.events;
    rate += hub.rate;
    gaps += hub.stats.gaps;
    reconnects += hub.stats.reconnects;
    const last: HubStats['lastEventAt'] = hub.stats.lastEventAt;
    if (last !== null && (lastEventAt === null || last > lastEventAt)) lastEventAt = last;
  }
  return { events, rate, gaps, lastEventAt, reconnects };
}
