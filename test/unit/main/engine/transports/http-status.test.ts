import { describe, expect, it } from 'vitest';
import { outcomeForStatus, parseRetryAfter } from '../../../../../src/main/engine/transports/http-status';

const now = Date.parse('2026-05-08T10:00:00Z');
const rules = { now: () => now };

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, and a past date as zero', () => {
    expect(parseRetryAfter('Fri, 08 May 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 08 May 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

describe('outcomeForStatus', () => {
  it('ends on a 204', () => {
    expect(outcomeForStatus(204, 'No Content', null, rules)).toMatchObject({
      kind: 'final',
      outcome: { state: 'ended', reason: 'no_content' },
    });
  });

  it('fails as credentials rejected on 401 and 403', () => {
    for (const status of [401, 403]) {
      expect(outcomeForStatus(status, '', null, rules)).toMatchObject({
        kind: 'final',
        outcome: {
          state: 'failed',
          reason: 'credentials_rejected',
          detail: `HTTP ${status}: credentials rejected`,
        },
      });
    }
  });

  it('retries 429 and every 5xx with the Retry-After', () => {
    expect(outcomeForStatus(429, 'Too Many Requests', '7', rules)).toEqual({
      kind: 'retry',
      reason: 'HTTP 429 Too Many Requests',
      retryAfterMs: 7000,
      status: 429,
    });
    for (const status of [500, 502, 503, 504, 599]) {
      expect(outcomeForStatus(status, '', null, rules)).toMatchObject({ kind: 'retry', retryAfterMs: null });
    }
  });

  it('fails with the status in the detail otherwise', () => {
    expect(outcomeForStatus(404, 'Not Found', null, rules)).toMatchObject({
      outcome: { state: 'failed', reason: 'not_found', detail: 'HTTP 404 Not Found' },
    });
    for (const status of [202, 206, 400, 410, 418]) {
      expect(outcomeForStatus(status, '', null, rules)).toMatchObject({
        outcome: { state: 'failed', reason: 'http_error', detail: `HTTP ${status}` },
      });
    }
  });

  it('asks the plan first', () => {
    const classifyStatus = (status: number) =>
      status === 503 ? ({ state: 'ended', reason: 'task_expired', detail: 'gone' } as const) : undefined;
    expect(outcomeForStatus(503, '', null, { ...rules, classifyStatus })).toMatchObject({
      kind: 'final',
      outcome: { reason: 'task_expired' },
    });
    expect(outcomeForStatus(502, '', null, { ...rules, classifyStatus })).toMatchObject({ kind: 'retry' });
  });
});
