/**
 * How a hub's connection state reads at a glance: a tone for its dot and one line of
 * text, with a live countdown while it waits to reconnect.
 */
import type { HubSummary } from '../../../shared/api';
import { describeState, type ConnectionState } from '../../../shared/connection-state';
import type { Tone } from './entity-facts';
import { formatAge, secondsUntil } from './format';

/** The dot colour of a state. */
export function stateTone(state: ConnectionState | null, enabled = true): Tone {
  if (!enabled || state === null) return 'idle';
  switch (state.state) {
    case 'open':
      return 'ok';
    case 'connecting':
    case 'reconnecting':
      return 'busy';
    case 'polling':
      return 'warn';
    case 'failed':
      return 'bad';
    case 'ended':
    case 'idle':
      return 'idle';
  }
}

/** The state line of a tab: `describeState`, with the reconnect countdown counting down. */
export function stateLine(state: ConnectionState, now: number, enabled = true): string {
  if (!enabled) return 'disabled';
  if (state.state === 'reconnecting') {
    return `reconnecting in ${secondsUntil(state.at, now)} s: ${state.reason}`;
  }
  if (state.state === 'polling') {
    const next = secondsUntil(state.nextPollAt, now);
    return `polling fallback (next in ${next} s): ${state.reason}`;
  }
  return describeState(state);
}

/** `last event 4 s ago` / `no events yet`. */
export function lastEventLine(hub: Pick<HubSummary, 'stats'>, now: number): string {
  const last = hub.stats.lastEventAt;
  return last === null
    ? 'no events yet'
    : `last ${formatAge(last, now)}${formatAge(last, now) === 'now' ? '' : ' ago'}`;
}

/** The colour slot (`hub-c0`…) of a hub, by its position among the tabs. */
export function hubColourClass(index: number): string {
  return `hub-c${((index % 8) + 8) % 8}`;
}
