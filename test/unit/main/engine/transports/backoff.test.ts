import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../../../../../src/main/engine/transports/backoff';

describe('backoffDelay', () => {
  it('is floor plus random times the doubled span', () => {
    const options = { baseMs: 100, capMs: 10_000, random: () => 0.5 };
    expect(backoffDelay(0, 0, options)).toBe(50);
    expect(backoffDelay(1, 0, options)).toBe(100);
    expect(backoffDelay(3, 0, options)).toBe(400);
    expect(backoffDelay(3, 1000, options)).toBe(1400);
  });

  it('caps the span but never the server’s floor', () => {
    const options = { baseMs: 1000, capMs: 30_000, random: () => 0.999_999 };
    expect(backoffDelay(20, 0, options)).toBe(29_999);
    expect(backoffDelay(2000, 0, options)).toBe(29_999);
    expect(backoffDelay(20, 45_000, options)).toBe(74_999);
  });

  it('never comes sooner than the floor, whatever the random source says', () => {
    for (const r of [0, 0.3, 0.99, -1, 2]) {
      expect(backoffDelay(4, 3000, { baseMs: 1, capMs: 5, random: () => r })).toBeGreaterThanOrEqual(3000);
    }
  });

  it('limits an absurd server floor to one day', () => {
    expect(backoffDelay(0, 10 * 24 * 3600 * 1000, { random: () => 0 })).toBe(24 * 3600 * 1000);
  });

  it('uses a one-second base and a thirty-second cap by default', () => {
    expect(backoffDelay(0, 0, { random: () => 0.5 })).toBe(500);
    expect(backoffDelay(10, 0, { random: () => 0.5 })).toBe(15_000);
  });
});

describe('Backoff', () => {
  it('doubles the span on every failure and starts over after a reset', () => {
    const backoff = new Backoff({ baseMs: 10, capMs: 1000, random: () => 0.5 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([5, 10, 20]);
    expect(backoff.consecutiveFailures).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(5);
  });

  it('adds jitter on top of the floor it is given', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 100, random: () => 0.25 });
    expect(backoff.next(2000)).toBe(2025);
  });
});
