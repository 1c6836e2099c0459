import type { HubSummary } from '../../../../src/shared/api';
import type { ConnectionState, HubStats } from '../../../../src/shared/connection-state';

/** A hub summary for store tests. */
export function hubSummary(
  id: string,
  options: {
    levels?: Partial<HubStats['levels']>;
    state?: ConnectionState;
    enabled?: boolean;
    dialect?: HubSummary['dialect'];
  } = {},
): HubSummary {
  const dialect = options.dialect ?? 'bot-hub';
  return {
    id,
    name: `Hub ${id}`,
    dialect,
    transport: 'sse',
    url: `http://127.0.0.1/${id}`,
    enabled: options.enabled ?? true,
    state: options.state ?? { state: 'open', since: 0 },
    stats: {
      events: 0,
      bytes: 0,
      reconnects: 0,
      gaps: 0,
      malformed: 0,
      duplicatesSkipped: 0,
      evicted: 0,
      lastEventAt: null,
      levels: { debug: 0, info: 0, warn: 0, error: 0, state: 0, ...options.levels },
    },
    rate: 0,
    muted: false,
    config: { id, dialect, url: `http://127.0.0.1/${id}` },
  };
}
