import { describe, expect, it } from 'vitest';
import { lastEventLine, stateLine, stateTone } from '../../../../src/renderer/src/lib/hub-status';
import { eventChoices } from '../../../../src/renderer/src/lib/known-events';
import { moveInOrder, orderHubs } from '../../../../src/renderer/src/lib/hub-order';
import { hubSummary } from '../support/hubs';

const now = 1_000_000;

describe('hub status', () => {
  it('counts down to the next reconnect attempt, in whole seconds', () => {
    const state = {
      state: 'reconnecting' as const,
      delayMs: 8000,
      at: now + 2100,
      attempt: 3,
      reason: 'HTTP 503',
    };
    expect(stateLine(state, now)).toBe('reconnecting in 3 s: HTTP 503');
    expect(stateLine(state, now + 5000)).toBe('reconnecting in 0 s: HTTP 503');
    expect(stateTone(state)).toBe('busy');
  });

  it('says when the polling fallback polls next', () => {
    expect(stateLine({ state: 'polling', reason: 'stream failed', nextPollAt: now + 9500 }, now)).toBe(
      'polling fallback (next in 10 s): stream failed',
    );
  });

  it('reads a disabled hub as disabled, whatever its last state', () => {
    expect(stateLine({ state: 'open', since: 0 }, now, false)).toBe('disabled');
    expect(stateTone({ state: 'open', since: 0 }, false)).toBe('idle');
  });

  it('uses the contract’s words for the other states and colours failures', () => {
    expect(stateLine({ state: 'failed', reason: 'credentials_rejected', detail: 'HTTP 401' }, now)).toBe(
      'failed: HTTP 401',
    );
    expect(stateTone({ state: 'failed', reason: 'credentials_rejected', detail: '' })).toBe('bad');
    expect(stateTone({ state: 'open', since: 0 })).toBe('ok');
  });

  it('says how long ago the last event came', () => {
    const hub = hubSummary('a');
    expect(lastEventLine(hub, now)).toBe('no events yet');
    expect(lastEventLine({ stats: { ...hub.stats, lastEventAt: now - 4000 } }, now)).toBe('last 4 s ago');
  });
});

describe('tab order and event names', () => {
  it('moves a tab and keeps hubs missing from the order last', () => {
    const hubs = [hubSummary('a'), hubSummary('b'), hubSummary('c')];
    expect(orderHubs(hubs, ['c']).map((hub) => hub.id)).toEqual(['c', 'a', 'b']);
    expect(moveInOrder(['a', 'b', 'c'], 'c', 0)).toEqual(['c', 'a', 'b']);
    expect(moveInOrder(['a', 'b', 'c'], 'a', 9)).toEqual(['b', 'c', 'a']);
  });

  it('offers the names a dialect sends before they are seen, plus those seen, sorted', () => {
    const names = eventChoices(['rdev', 'rdev'], ['custom']);
    expect(names).toEqual(['complete', 'connected', 'custom', 'error', 'gap', 'heartbeat', 'output']);
    expect(eventChoices(['backendai'], [])).toContain('tak_failed');
  });
});
