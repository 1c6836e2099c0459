import { describe, expect, it } from 'vitest';
import {
  EMPTY_DRAFT,
  describeFilter,
  draftFromSpec,
  draftProblems,
  levelShown,
  scopedFilter,
  specFromDraft,
  toggleLevel,
} from '../../../../src/renderer/src/lib/filter-draft';

describe('editing a filter', () => {
  it('turns an untouched bar into the empty filter', () => {
    expect(specFromDraft(EMPTY_DRAFT)).toEqual({});
  });

  it('turns each field the operator filled into its part of the spec, trimmed', () => {
    const spec = specFromDraft({
      levels: ['warn', 'error'],
      events: ['crash'],
      entityType: 'server',
      entityId: ' srv-1 ',
      text: '  timeout ',
      regex: '^tcp',
      where: ' data.Data.payload.exit_code != 0 ',
      invert: true,
    });
    expect(spec).toEqual({
      levels: ['warn', 'error'],
      events: ['crash'],
      entity: { type: 'server', id: 'srv-1' },
      text: 'timeout',
      regex: '^tcp',
      where: 'data.Data.payload.exit_code != 0',
      invert: true,
    });
  });

  it('keeps what the bar does not edit (time range, regex flags) from the current filter', () => {
    expect(
      specFromDraft({ ...EMPTY_DRAFT, text: 'x' }, { from: 10, to: 20, regexFlags: 'g', hubs: ['bots'] }),
    ).toEqual({
      from: 10,
      to: 20,
      regexFlags: 'g',
      text: 'x',
    });
  });

  it('means any entity of a type when the id is left empty', () => {
    expect(specFromDraft({ ...EMPTY_DRAFT, entityType: 'session' })).toEqual({ entity: { type: 'session' } });
  });

  it('round-trips a spec through the draft', () => {
    const spec = {
      levels: ['debug' as const],
      events: ['a', 'b'],
      entity: { type: 'task' as const, id: 't1' },
      regex: 'x|y',
      invert: true,
    };
    expect(specFromDraft(draftFromSpec(spec))).toEqual(spec);
  });

  it('reports an invalid regex and an invalid predicate by field, without throwing', () => {
    expect(draftProblems({ ...EMPTY_DRAFT, regex: '(open' }).regex).toMatch(/invalid regular expression/);
    expect(draftProblems({ ...EMPTY_DRAFT, where: 'data.x ==' }).where).toMatch(/expected a value/);
    expect(draftProblems({ ...EMPTY_DRAFT, where: 'exit_code != 0' }).where).toMatch(/use data.exit_code/);
    expect(draftProblems({ ...EMPTY_DRAFT, regex: 'ok', where: 'data.a > 1' })).toEqual({});
  });
});

describe('level toggles', () => {
  it('show only the clicked level when every level was shown', () => {
    expect(toggleLevel([], 'error')).toEqual(['error']);
  });

  it('add and remove levels, kept in display order', () => {
    expect(toggleLevel(['error'], 'warn')).toEqual(['warn', 'error']);
    expect(toggleLevel(['warn', 'error'], 'error')).toEqual(['warn']);
  });

  it('go back to every level when the last one is removed or all are chosen', () => {
    expect(toggleLevel(['error'], 'error')).toEqual([]);
    expect(toggleLevel(['debug', 'info', 'warn', 'error'], 'state')).toEqual([]);
  });

  it('show only one level on Alt-click, and every level on a second Alt-click', () => {
    expect(toggleLevel(['info', 'warn'], 'error', true)).toEqual(['error']);
    expect(toggleLevel(['error'], 'error', true)).toEqual([]);
  });

  it('treat the empty set as every level shown', () => {
    expect(levelShown([], 'debug')).toBe(true);
    expect(levelShown(['error'], 'debug')).toBe(false);
  });
});

describe('filter summaries and scopes', () => {
  it('describe a filter in one line', () => {
    expect(describeFilter({})).toBe('everything');
    expect(
      describeFilter({ levels: ['error'], entity: { type: 'bot', id: 'bot-1' }, regex: 'x', invert: true }),
    ).toBe('level error · bot bot-1 · /x/ · inverted');
  });

  it('limit a hub tab to its hub and leave the All tab unlimited', () => {
    expect(scopedFilter({ text: 'a' }, ['bots'])).toEqual({ text: 'a', hubs: ['bots'] });
    expect(scopedFilter({ text: 'a' }, null)).toEqual({ text: 'a' });
  });
});
