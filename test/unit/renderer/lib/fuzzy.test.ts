import { describe, expect, it } from 'vitest';
import { fuzzyFilter, fuzzyMatch, highlightParts } from '../../../../src/renderer/src/lib/fuzzy';

describe('fuzzy matching', () => {
  it('matches letters in order, case-insensitively', () => {
    expect(fuzzyMatch('dbf', 'Demo bot fleet')?.positions).toEqual([0, 5, 9]);
    expect(fuzzyMatch('xyz', 'Demo bot fleet')).toBe(null);
  });

  it('ranks word starts and whole substrings first', () => {
    const items = ['backendai-task', 'Demo bot fleet', 'bots'];
    expect(fuzzyFilter(items, 'bot', (item) => [item]).map((hit) => hit.item)).toEqual([
      'bots',
      'Demo bot fleet',
    ]);
  });

  it('keeps the original order for an empty query', () => {
    expect(fuzzyFilter(['b', 'a', 'c'], '', (item) => [item]).map((hit) => hit.item)).toEqual([
      'b',
      'a',
      'c',
    ]);
  });

  it('matches on any of an item’s labels', () => {
    const items = [{ name: 'All hubs', detail: 'merged timeline' }];
    expect(fuzzyFilter(items, 'merged', (item) => [item.name, item.detail])).toHaveLength(1);
  });

  it('splits a label into highlighted runs', () => {
    expect(highlightParts('bots', [0, 1])).toEqual([
      { text: 'bo', hit: true },
      { text: 'ts', hit: false },
    ]);
  });
});
