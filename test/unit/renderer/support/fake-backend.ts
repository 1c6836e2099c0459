/**
 * A Backend for store tests: each call is answered by a handler the test sets, every call
 * is recorded, and pushes can be sent to the listeners.
 */
import {
  ApiCallError,
  type Backend,
  type CallName,
  type CallRequest,
  type CallResponse,
  type PushMessage,
  type ViewUpdate,
} from '../../../../src/shared/api';
import type { EventRow, ListRow } from '../../../../src/shared/event-row';

type Handler<K extends CallName> = (request: CallRequest<K>) => CallResponse<K> | Promise<CallResponse<K>>;

export class FakeBackend implements Backend {
  readonly calls: { name: CallName; request: unknown }[] = [];
  private readonly handlers = new Map<CallName, (request: unknown) => unknown>();
  private readonly listeners = new Set<(batch: PushMessage[]) => void>();

  on<K extends CallName>(name: K, handler: Handler<K>): this {
    this.handlers.set(name, handler as (request: unknown) => unknown);
    return this;
  }

  async call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>> {
    this.calls.push({ name, request });
    const handler = this.handlers.get(name);
    if (!handler) throw new ApiCallError(`no handler for ${name} in this test`);
    return (await handler(request)) as CallResponse<K>;
  }

  onPush(listener: (batch: PushMessage[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(...batch: PushMessage[]): void {
    for (const listener of this.listeners) listener(batch);
  }

  callsOf(name: CallName): unknown[] {
    return this.calls.filter((call) => call.name === name).map((call) => call.request);
  }
}

/** An event row with sensible defaults; `g` doubles as `seq` and the time offset. */
export function eventRow(g: number, overrides: Partial<EventRow> = {}): EventRow {
  return {
    kind: 'event',
    g,
    hub: 'bots',
    seq: g,
    receivedAt: 1_000_000 + g * 10,
    time: 1_000_000 + g * 10,
    event: 'log',
    id: null,
    level: 'info',
    source: null,
    entity: null,
    message: `event ${g}`,
    malformed: false,
    gap: false,
    ...overrides,
  };
}

/** Rows `from…to-1` (as event rows with g = index + 1). */
export function rowsBetween(from: number, to: number): ListRow[] {
  const rows: ListRow[] = [];
  for (let index = from; index < to; index++) rows.push(eventRow(index + 1));
  return rows;
}

/** A view update whose tail is the last `tail` rows of `total`. */
export function viewUpdate(
  viewId: string,
  total: number,
  options: Partial<ViewUpdate> & { tailSize?: number } = {},
): ViewUpdate {
  const { tailSize = 160, ...rest } = options;
  const tailStart = Math.max(0, total - tailSize);
  return {
    viewId,
    version: 1,
    total,
    scanning: false,
    progress: 1,
    appended: 0,
    tail: rowsBetween(tailStart, total),
    tailStart,
    ...rest,
  };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
