import { describe, expect, it } from 'vitest';
import { RowCache } from '../../../../src/renderer/src/lib/row-cache';
import { rowsBetween } from '../support/fake-backend';

describe('the row cache', () => {
  it('keeps rows for one version and drops them all when it changes', () => {
    const cache = new RowCache();
    cache.reset(1);
    cache.put(10, rowsBetween(10, 20), 1);
    expect(cache.get(15)).toMatchObject({ g: 16 });
    expect(cache.put(0, rowsBetween(0, 5), 2)).toBe(false);
    expect(cache.reset(2)).toBe(true);
    expect(cache.get(15)).toBeUndefined();
    expect(cache.reset(2)).toBe(false);
  });

  it('names the pages a window still needs, below the total', () => {
    const cache = new RowCache();
    cache.reset(1);
    cache.put(200, rowsBetween(200, 400), 1);
    expect(cache.missingPages(150, 300, 1000, 200)).toEqual([0, 400]);
    expect(cache.missingPages(250, 100, 1000, 200)).toEqual([]);
    expect(cache.missingPages(950, 100, 1000, 200)).toEqual([800]);
  });

  it('forgets the least recently stored rows beyond its capacity', () => {
    const cache = new RowCache(100);
    cache.reset(1);
    cache.put(0, rowsBetween(0, 80), 1);
    cache.put(80, rowsBetween(80, 160), 1);
    expect(cache.size).toBe(100);
    expect(cache.get(0)).toBeUndefined();
    expect(cache.get(159)).toMatchObject({ g: 160 });
  });

  it('fetches a page once until it is done, and forgets fetches of an old version', () => {
    const cache = new RowCache();
    cache.reset(1);
    expect(cache.startFetch(0)).toBe(true);
    expect(cache.startFetch(0)).toBe(false);
    cache.endFetch(0, 1);
    expect(cache.startFetch(0)).toBe(true);
    cache.reset(2);
    expect(cache.startFetch(0)).toBe(true);
  });
});
