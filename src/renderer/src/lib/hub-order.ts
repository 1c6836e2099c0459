/** Hub lookups and the operator's tab order. */
import type { HubSummary } from '../../../shared/api';

/** Hubs by id. */
export function indexHubs(list: readonly HubSummary[]): ReadonlyMap<string, HubSummary> {
  return new Map(list.map((hub) => [hub.id, hub]));
}

/** Hubs in the operator's tab order; hubs not in it go last, in config order. */
export function orderHubs(list: readonly HubSummary[], tabOrder: readonly string[]): HubSummary[] {
  const position = new Map(tabOrder.map((id, index) => [id, index]));
  const configOrder = new Map(list.map((hub, index) => [hub.id, index]));
  return [...list].sort(
    (a, b) =>
      (position.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (position.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
      (configOrder.get(a.id) ?? 0) - (configOrder.get(b.id) ?? 0),
  );
}

/** The tab order after moving `id` to position `toIndex` among the hubs. */
export function moveInOrder(ids: readonly string[], id: string, toIndex: number): string[] {
  const order = ids.filter((candidate) => candidate !== id);
  order.splice(Math.max(0, Math.min(order.length, toIndex)), 0, id);
  return order;
}
