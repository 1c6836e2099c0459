/**
 * The alert list after pushed updates: each alert once, at its newest state, newest
 * first. Pushes are applied in batches (a storm updates one alert many times a second).
 */
import type { Alert } from '../../../shared/alerts';

/** `list` with `incoming` (in arrival order) merged in: updated and new alerts move to the top. */
export function mergeAlerts(list: readonly Alert[], incoming: readonly Alert[], keep: number): Alert[] {
  const latest = new Map<string, Alert>();
  for (const alert of incoming) {
    // Re-inserting moves an alert to the end: the last one to arrive ends up first.
    latest.delete(alert.id);
    latest.set(alert.id, alert);
  }
  const fresh = [...latest.values()].reverse();
  const rest = list.filter((alert) => !latest.has(alert.id));
  return [...fresh, ...rest].slice(0, keep);
}
