import type { EngineEvent } from '../../src/main/engine/event-record';

/** Builds an engine record for tests; every field can be overridden. */
export function makeRecord(overrides: Partial<EngineEvent> = {}): EngineEvent {
  const data = overrides.data ?? { message: overrides.message ?? 'hello' };
  return {
    hub: 'h1',
    seq: 1,
    receivedAt: 1_700_000_000_000,
    time: 1_700_000_000_000,
    event: 'log',
    id: null,
    level: 'info',
    source: null,
    entity: null,
    message: 'hello',
    data,
    raw: overrides.raw !== undefined ? overrides.raw : typeof data === 'string' ? null : JSON.stringify(data),
    malformed: false,
    ...overrides,
  };
}
