import { describe, expect, it } from 'vitest';
import { compileFilter, filterError, type FilterSpec } from '../../../src/shared/filter';
import { recordAccessor } from '../../../src/main/engine/store/store';
import { makeRecord } from '../../support/records';
import type { EngineEvent } from '../../../src/main/engine/event-record';

const access = recordAccessor((hub) => (hub === 'cube' ? 'protocube' : 'bot-hub'));

function test(spec: FilterSpec, record: EngineEvent): boolean {
  const compiled = compileFilter(spec, access);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.test(record);
}

describe('filters', () => {
  const crash = makeRecord({
    hub: 'cube',
    event: 'crash',
    level: 'error',
    entity: { type: 'server', id: 'srv_01' },
    message: 'srv_01 crashed: signal: killed (exit 137)',
    data: { Topic: 'crash', Data: { server_id: 'srv_01', payload: { exit_code: 137 } } },
  });
  const log = makeRecord({
    hub: 'bots',
    event: 'log',
    level: 'info',
    source: 'tcp',
    message: 'VChk {ID="VChk"}',
  });

  it('matches an empty spec to everything', () => {
    expect(test({}, crash)).toBe(true);
    expect(test({}, log)).toBe(true);
  });

  it('filters by hub, dialect, level, event and entity', () => {
    expect(test({ hubs: ['cube'] }, log)).toBe(false);
    expect(test({ dialects: ['protocube'] }, crash)).toBe(true);
    expect(test({ levels: ['error', 'warn'] }, log)).toBe(false);
    expect(test({ events: ['crash'] }, crash)).toBe(true);
    expect(test({ entity: { type: 'server', id: 'srv_01' } }, crash)).toBe(true);
    expect(test({ entity: { type: 'server', id: 'srv_02' } }, crash)).toBe(false);
    expect(test({ entity: { type: 'server' } }, log)).toBe(false);
  });

  it('finds free text case-insensitively in the message, source and entity id', () => {
    expect(test({ text: 'KILLED' }, crash)).toBe(true);
    expect(test({ text: 'tcp' }, log)).toBe(true);
    expect(test({ text: 'SRV_01' }, crash)).toBe(true);
    expect(test({ text: 'nothing like this' }, crash)).toBe(false);
  });

  it('applies a regex and a data predicate together', () => {
    expect(test({ regex: 'exit \\d{3}', where: 'data.Data.payload.exit_code != 0' }, crash)).toBe(true);
    expect(test({ regex: 'exit \\d{4}' }, crash)).toBe(false);
  });

  it('inverts the content conditions but keeps the hub scope', () => {
    expect(test({ levels: ['error'], invert: true }, log)).toBe(true);
    expect(test({ levels: ['error'], invert: true }, crash)).toBe(false);
    expect(test({ hubs: ['cube'], levels: ['error'], invert: true }, log)).toBe(false);
  });

  it('keeps a time range on the event time, inclusive', () => {
    const at = crash.time;
    expect(test({ from: at, to: at }, crash)).toBe(true);
    expect(test({ from: at + 1 }, crash)).toBe(false);
  });

  it('matches a regex with the g or y flag in every record, wherever it is, as without the flag', () => {
    const records = [log, makeRecord({ message: 'VChk again' }), makeRecord({ message: 'then VChk' })];
    for (const spec of [
      { regex: 'VChk', regexFlags: 'g' },
      { regex: 'VChk', regexFlags: 'y' },
      { regex: 'vchk', regexFlags: 'gi' },
      { where: 'message ~ /VChk/g' },
      { where: 'message ~ /VChk/y' },
    ]) {
      const compiled = compileFilter(spec, access);
      if (!compiled.ok) throw new Error(compiled.error);
      // Twice over: a filter remembers nothing between records.
      expect([...records, ...records].map(compiled.test), JSON.stringify(spec)).toEqual(Array(6).fill(true));
    }
  });

  it('reports an invalid regex or expression instead of throwing', () => {
    expect(filterError({ regex: '(unclosed' })).toMatchObject({ field: 'regex' });
    expect(filterError({ where: 'data.x = = 1' })).toMatchObject({ field: 'where' });
    expect(filterError({ where: 'exit_code != 0' })?.error).toMatch(/data\.exit_code/);
    expect(filterError({ from: 10, to: 5 })).toMatchObject({ field: 'range' });
    expect(filterError({ regex: 'ok', where: 'data.a == 1' })).toBeNull();
  });

  it('does not parse the payload when a predicate key is absent from its text', () => {
    let parsed = 0;
    const counting = { ...access, data: (r: EngineEvent) => (parsed++, r.data) };
    const compiled = compileFilter({ where: 'data.exit_code != 0' }, counting);
    if (!compiled.ok) throw new Error(compiled.error);
    expect(compiled.test(log)).toBe(false);
    expect(parsed).toBe(0);
    expect(compiled.test(makeRecord({ data: { exit_code: 2 } }))).toBe(true);
    expect(parsed).toBe(1);
  });
});
