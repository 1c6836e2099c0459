import { describe, expect, it } from 'vitest';
import { describeState, isFinal, stateSeverity } from '../../../src/shared/connection-state';

describe('connection states', () => {
  it('describes a reconnect with its delay and reason', () => {
    expect(
      describeState({ state: 'reconnecting', delayMs: 1500, at: 0, attempt: 2, reason: 'HTTP 503' }),
    ).toBe('reconnecting in 1.5 s: HTTP 503');
  });

  it('treats ended and failed as final and nothing else', () => {
    expect(isFinal({ state: 'ended', reason: 'completed', detail: 'exit 0' })).toBe(true);
    expect(isFinal({ state: 'failed', reason: 'credentials_rejected', detail: '401' })).toBe(true);
    expect(isFinal({ state: 'open', since: 1 })).toBe(false);
    expect(isFinal({ state: 'reconnecting', delayMs: 1, at: 1, attempt: 1, reason: 'x' })).toBe(false);
  });

  it('ranks failed above reconnecting above open', () => {
    const failed = stateSeverity({ state: 'failed', reason: 'http_error', detail: '500' });
    const reconnecting = stateSeverity({ state: 'reconnecting', delayMs: 1, at: 1, attempt: 1, reason: 'x' });
    const open = stateSeverity({ state: 'open', since: 1 });
    expect(failed).toBeGreaterThan(reconnecting);
    expect(reconnecting).toBeGreaterThan(open);
  });
});
