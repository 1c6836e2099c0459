/**
 * One filter, two stores: the history (DuckDB over Parquet segments and NDJSON journals,
 * exact SQL or a superset tested again) must give exactly the events the RAM ring gives,
 * for records with unicode, nulls, odd payloads, malformed frames and gap markers, and for
 * filters on every part of the spec.
 */
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestedEvent } from '../../../src/main/engine/event-record';
import { History } from '../../../src/main/engine/history/history';
import { EventStore } from '../../../src/main/engine/store/store';
import { filterError, type FilterSpec } from '../../../src/shared/filter';
import { ENTITY_TYPES, LEVELS, type EntityRef } from '../../../src/shared/hub-event';
import { BASE_TIME, allRecords, hubRecord, keys, tempFolder } from '../../support/history-fixtures';
import { matchingRows } from '../../support/store-matches';

const HUBS = ['alpha', 'beta', 'gamma'] as const;
const DIALECTS: Record<string, string> = { alpha: 'bot-hub', beta: 'protocube', gamma: 'generic' };
const EVENTS = ['log', 'crash', 'state', 'gap', 'message', 'tâche', 'Ünïcode-evt', 'a.b', 'LOG'];
const SOURCES = [null, 'auth_client', 'Tcp-Server', 'ßource', 'İstanbul', '', 'hubwatch', 'ǅungla'];
const ENTITY_IDS = ['bot-1', 'bot-2', 'SRV-Ω', '', 'straße', '😀-7'];
const MESSAGES = [
  null,
  '',
  'POST https://example.test/a?b=1',
  'Crash ☃ in module',
  'straße',
  'STRASSE',
  'İstanbul',
  'ǅ digraph',
  'ﬀ ligature',
  'emoji 😀 here',
  'line one\nline two',
  'tab\there',
  'bot-1 connected',
  'x',
  '12 items, 345 left',
  'Ωmega',
  'back\\slash and "quotes"',
  'percent 100% _under_',
];
/** Payload texts as a hub may send them: objects of every shape, scalars, and not JSON at all. */
const PAYLOADS = [
  '{"n":1,"s":"ab","flag":true}',
  '{"n":-3.5,"s":"ABc","flag":false,"nested":{"a":{"b":[1,{"c":null}]}}}',
  '{"n":12345678901234567890,"s":"É","arr":[1,2,3]}',
  '{"n":1e21,"s":"m","nested":{"a":{"b":[0,{"c":"deep"}]}}}',
  '{"n":0,"s":"","missing":null}',
  '{"n":"5","s":3}',
  '{"s":"zz","nested":{"a":null}}',
  '{"n":42,"s":"x","data":{"n":7}}',
  '{"s":"ünï ☃","n":7,"arr":[]}',
  '{"Data":{"payload":{"exit_code":2}}}',
  '{"Data":{"payload":{"exit_code":0}}}',
  '{}',
  '[]',
  '[1,{"n":2}]',
  '42',
  '"just a string"',
  'null',
  'true',
  'not json at all {',
  '<html>oops</html>',
  '{"n": 5, "s": "trailing',
  '',
];

interface RecordChoice {
  hub: (typeof HUBS)[number];
  gap: boolean;
  event: string;
  level: (typeof LEVELS)[number];
  source: string | null;
  entity: EntityRef | null;
  message: string | null;
  payload: string;
  id: string | null;
  timeShift: number;
  step: number;
}

const recordChoice: fc.Arbitrary<RecordChoice> = fc.record({
  hub: fc.constantFrom(...HUBS),
  gap: fc.boolean().map((b) => b && Math.random() < 0.15),
  event: fc.constantFrom(...EVENTS),
  level: fc.constantFrom(...LEVELS),
  source: fc.constantFrom(...SOURCES),
  entity: fc.option(
    fc.record({ type: fc.constantFrom(...ENTITY_TYPES), id: fc.constantFrom(...ENTITY_IDS) }),
    { nil: null },
  ),
  message: fc.oneof(fc.constantFrom(...MESSAGES), fc.string({ unit: 'binary', maxLength: 12 })),
  payload: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...PAYLOADS) },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ s: 'gen', n: 1, value })),
    },
  ),
  id: fc.option(fc.constantFrom('1', '42', 'ïd-7', 'x y'), { nil: null }),
  timeShift: fc.integer({ min: -5_000, max: 5_000 }),
  step: fc.integer({ min: 1, max: 3_000 }),
});

const folder = tempFolder();
const store = new EventStore();
let history: History;
const records: IngestedEvent[] = [];
const TIMES: number[] = [];

beforeAll(async () => {
  const choices = fc.sample(fc.array(recordChoice, { minLength: 600, maxLength: 600 }), {
    seed: 20261207,
    numRuns: 1,
  })[0]!;
  history = await History.open({ dir: folder.dir, threads: 1, journal: { rotateRows: 1_000_000 } });
  const seqs: Record<string, number> = { alpha: 0, beta: 0, gamma: 0 };
  let receivedAt = BASE_TIME;
  for (const [index, choice] of choices.entries()) {
    receivedAt += choice.step;
    const seq = ++seqs[choice.hub]!;
    const record = choice.gap
      ? hubRecord(choice.hub, seq, { gap: true, receivedAt })
      : hubRecord(choice.hub, seq, {
          receivedAt,
          time: receivedAt + choice.timeShift,
          event: choice.event,
          level: choice.level,
          source: choice.source,
          entity: choice.entity,
          message: choice.message,
          raw: choice.payload,
          id: choice.id,
        });
    const ring = store.ensureRing(choice.hub, DIALECTS[choice.hub]!);
    const g = store.takeG();
    store.append(ring, g, record);
    history.append(record, g, DIALECTS[choice.hub]!);
    records.push(record);
    TIMES.push(record.time);
    // Most records sealed into several segments, the newest still in the open journal.
    if (index % 150 === 149 && index < 450) await history.settle();
  }
  await history.flush();
}, 60_000);

afterAll(async () => {
  await history.close();
  folder.remove();
});

const REGEXES: [string, string | undefined][] = [
  ['^crash', undefined],
  ['crash$', 'i'],
  ['\\bbot\\b', undefined],
  ['[Ω-ω]', undefined],
  ['\\d{2,}', ''],
  ['(?:a|b)+c', 'i'],
  ['é', 'i'],
  ['.', ''],
  ['^$', ''],
  ['x*', ''],
  ['bot(?=-1)', undefined],
  ['(?<!s)rv', 'i'],
  ['\\p{L}+ß', 'u'],
  ['\\u00c9|\\u00e9', ''],
  ['[^a-z]', ''],
  ['straße', 'i'],
  ['STRASSE', 'i'],
  ['\\s', ''],
  ['😀', ''],
  ['^.$', 'u'],
  ['^.$', ''],
  ['\\w+-\\d', ''],
  ['^', ''],
  ['(a)\\1', 'i'],
  ['İ', 'i'],
  ['ǅ', 'i'],
  ['line.two', 's'],
  ['line.two', ''],
  ['^line two$', 'm'],
  ['^line two$', ''],
  ['\\n', ''],
  ['log', 'g'],
  ['LOG', 'gi'],
  ['[[:alpha:]]', ''],
  ['a{0}', ''],
  ['\\x41', 'i'],
  ['100%', ''],
  ['_under_', ''],
  ['\\\\slash', ''],
  ['"quotes"', ''],
  ['ﬀ', 'i'],
  ['[\\s\\S]{30,}', ''],
  ['(?<name>bot)-\\k<name>', ''],
  ['\\$', ''],
  ['k$|^Ω', 'u'],
];

const TEXTS = [
  'crash',
  'BOT',
  'ß',
  'İ',
  '☃',
  ' ',
  'Ω',
  '1',
  'srv-ω',
  'ünï',
  '%',
  '_',
  '"',
  '\\',
  '  x  ',
  'ǅ',
  'ﬀ',
];

const WHERES = [
  'data.n > 5',
  'data.n == 12345678901234567890',
  'data.n >= 1e21',
  'data.n == 5',
  'data.n == "5"',
  'data.s == 3',
  'data.s == "x"',
  'data.s ~ /^ab/i',
  'data.s contains "É"',
  'data.s contains "é"',
  'data.s > "m"',
  'data.s <= "m"',
  'data.nested.a.b[1].c == null',
  'data.nested.a.b[1].c == "deep"',
  'data.nested.a == null',
  'data.missing exists',
  'not data.missing exists',
  'data.missing == null',
  'data.nested exists',
  'data.flag',
  'not data.flag',
  'data.n != 0',
  'data.n',
  'data.arr[0] == 1',
  'data.arr[5] exists',
  'data[1].n == 2',
  'data == null',
  'data == 42',
  'data == "just a string"',
  'data ~ /json/',
  'data.data.n == 7',
  'data.Data.payload.exit_code != 0',
  'data.value exists and data.s == "gen"',
  'level == "error" and data.n < 0',
  'source ~ /^tcp/i or entity.id == "bot-1"',
  'message contains "crash"',
  'message contains "☃"',
  'message contains "STRASSE"',
  'message ~ /^$/',
  'message == ""',
  'message == null',
  'message != null',
  'source == null',
  'source != ""',
  'source',
  'id == null',
  'id == "42"',
  'id ~ /\\d/',
  'seq >= 50',
  'seq == 7',
  'seq ~ /1/',
  'time > 0',
  'receivedAt < 0',
  'entity.type == "bot"',
  'entity.id == ""',
  'entity.id exists',
  'not entity.id == "bot-1"',
  'entity exists',
  'entity == null',
  'event == "gap" and source == "hubwatch"',
  'event ~ /^ünï/i',
  'hub == "beta" or dialect == "generic"',
  'level != "info" && !(data.n > 0)',
  'message > "m"',
  'data.s != "x"',
  'data.s ~ /^/',
  'data.n == true',
  'data.flag == true',
  'data.flag == 1',
];

/** What the ring answers, and the history's three ways of answering. */
async function compare(spec: FilterSpec): Promise<void> {
  const label = JSON.stringify(spec);
  const expected = keys(matchingRows(store, spec));
  const got = keys(await allRecords(history, spec));
  expect(got, label).toEqual(expected);
  expect(await history.queries.count(spec), label).toBe(expected.length);
  const page = await history.queries.page(spec, { limit: 7 });
  expect(keys(page), label).toEqual(expected.slice(-7).reverse());
}

describe('filters over the history and over the ring', () => {
  it('hold the same records to begin with, in the same order', async () => {
    expect(keys(await allRecords(history))).toEqual(keys(records));
    expect(keys(matchingRows(store, {}))).toEqual(keys(records));
    const stored = await allRecords(history);
    // Payloads come back as they were received (malformed frames as their text).
    stored.forEach((event, i) => expect(event.data, keys([event])[0]).toEqual(records[i]!.data));
    expect(records.filter((r) => r.gap === true).length).toBeGreaterThan(10);
    expect(records.filter((r) => r.malformed).length).toBeGreaterThan(10);
    // Read from both kinds of file: sealed segments and the open journal.
    const files = readdirSync(join(folder.dir, 'segments')).filter((f) => f.endsWith('.parquet'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(join(folder.dir, 'journal')).filter((f) => f.endsWith('.ndjson'))).toHaveLength(1);
  });

  it('match the same events for each level, hub, dialect, event name and entity filter', async () => {
    for (const level of LEVELS) await compare({ levels: [level] });
    await compare({ levels: ['error', 'warn'] });
    for (const hub of HUBS) await compare({ hubs: [hub] });
    await compare({ hubs: ['alpha', 'gamma'] });
    await compare({ hubs: ['nobody'] });
    await compare({ dialects: ['protocube', 'generic'] });
    for (const event of EVENTS) await compare({ events: [event] });
    for (const type of ENTITY_TYPES) await compare({ entity: { type } });
    for (const id of ENTITY_IDS) await compare({ entity: { type: 'bot', id } });
    await compare({ entity: { type: 'server', id: null } });
  });

  it('match the same events for each text and regular expression, flags included', async () => {
    for (const text of TEXTS) {
      await compare({ text });
      await compare({ text, invert: true });
    }
    for (const [regex, regexFlags] of REGEXES) {
      const spec: FilterSpec = { regex, ...(regexFlags === undefined ? {} : { regexFlags }) };
      expect(filterError(spec), regex).toBeNull();
      await compare(spec);
      await compare({ ...spec, invert: true });
    }
  });

  it('match the same events for each predicate on data and record fields', async () => {
    for (const where of WHERES) {
      expect(filterError({ where }), where).toBeNull();
      await compare({ where });
      await compare({ where, invert: true });
    }
  });

  it('match the same events for time ranges, alone and with the other parts', async () => {
    const sorted = [...TIMES].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
    await compare({ from: at(0.25) });
    await compare({ to: at(0.5) });
    await compare({ from: at(0.2), to: at(0.3) });
    await compare({ from: at(0.4), to: at(0.4) });
    await compare({ from: at(0.1), to: at(0.9), levels: ['error'], invert: true });
    await compare({ from: at(0.1), to: at(0.6), hubs: ['beta'], where: 'data.n > 0', invert: true });
  });

  it('match the same events for generated combinations of every part', async () => {
    const sorted = [...TIMES].sort((a, b) => a - b);
    const spec: fc.Arbitrary<FilterSpec> = fc
      .record(
        {
          hubs: fc.subarray([...HUBS, 'nobody'], { minLength: 1 }),
          dialects: fc.subarray(['bot-hub', 'protocube', 'generic'] as const, { minLength: 1 }),
          levels: fc.subarray([...LEVELS], { minLength: 1 }),
          events: fc.subarray(EVENTS, { minLength: 1 }),
          entity: fc.record({
            type: fc.constantFrom(...ENTITY_TYPES),
            id: fc.option(fc.constantFrom(...ENTITY_IDS), { nil: null }),
          }),
          text: fc.oneof(fc.constantFrom(...TEXTS), fc.string({ maxLength: 3 })),
          regex: fc.constantFrom(...REGEXES),
          where: fc.oneof(
            fc.constantFrom(...WHERES),
            fc
              .tuple(fc.constantFrom(...WHERES), fc.constantFrom(' and ', ' or '), fc.constantFrom(...WHERES))
              .map(([a, op, b]) => `(${a})${op}not (${b})`),
          ),
          from: fc.integer({ min: 0, max: sorted.length - 1 }).map((i) => sorted[i]!),
          span: fc.integer({ min: 0, max: 2_000_000 }),
          invert: fc.boolean(),
        },
        { requiredKeys: [] },
      )
      .map(({ regex, span, from, ...rest }) => {
        const out: FilterSpec = { ...rest };
        if (regex) {
          out.regex = regex[0];
          if (regex[1] !== undefined) out.regexFlags = regex[1];
        }
        if (from !== undefined) {
          out.from = from;
          if (span !== undefined) out.to = from + span;
        } else if (span !== undefined) out.to = sorted[0]! + span * 2;
        return out;
      });
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        fc.pre(filterError(s) === null);
        await compare(s);
      }),
      { numRuns: 120, seed: 7 },
    );
  }, 120_000);

  it('match the same events for generated regular expressions, with every flag', async () => {
    const TOKENS = [
      'a',
      'b',
      'o',
      't',
      'S',
      'ß',
      'İ',
      'ǅ',
      'Ω',
      'é',
      '😀',
      '☃',
      '1',
      '-',
      ' ',
      '\\n',
      '.',
      '*',
      '+',
      '?',
      '*?',
      '|',
      '(',
      ')',
      '(?:',
      '(?=',
      '(?!',
      '(?<=',
      '(?<!',
      '[',
      ']',
      '[^',
      '^',
      '$',
      '\\d',
      '\\D',
      '\\w',
      '\\W',
      '\\s',
      '\\S',
      '\\b',
      '\\B',
      '{2}',
      '{1,3}',
      '{0,}',
      '\\p{L}',
      '\\P{Lu}',
      '\\u00e9',
      '\\x41',
      '\\.',
      '\\1',
      '[a-z]',
      '[A-Z]',
      '[Ω-ω]',
      '\\k<n>',
      '(?<n>',
    ];
    const regex = fc
      .tuple(
        fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 7 }).map((parts) => parts.join('')),
        fc.constantFrom('', 'i', 'u', 'iu', 's', 'm', 'ms', 'is', 'g', 'y', 'v', 'iv'),
        fc.boolean(),
      )
      .filter(([source, flags]) => {
        try {
          new RegExp(source, flags);
          return true;
        } catch {
          return false;
        }
      });
    await fc.assert(
      fc.asyncProperty(regex, async ([source, regexFlags, invert]) => {
        await compare({ regex: source, regexFlags, invert });
      }),
      { numRuns: 300, seed: 11 },
    );
  }, 180_000);

  it('match the same events for generated predicates over every field, with and, or and not', async () => {
    const FIELDS = [
      'hub',
      'dialect',
      'level',
      'event',
      'source',
      'message',
      'id',
      'seq',
      'time',
      'receivedAt',
      'entity.type',
      'entity.id',
      'entity',
      'data',
      'data.n',
      'data.s',
      'data.flag',
      'data.missing',
      'data.nested.a',
      'data.nested.a.b[1].c',
      'data.arr[0]',
      'data.arr',
      'data[1].n',
      'data.value',
      'data.Data.payload.exit_code',
      'data.data.n',
    ];
    const LITERALS = [
      '0',
      '1',
      '-3.5',
      '7',
      '42',
      '1e21',
      '12345678901234567890',
      '"x"',
      '"5"',
      '"ab"',
      '""',
      '"É"',
      '"true"',
      '"info"',
      '"bot-1"',
      '"log"',
      '"ünï ☃"',
      'true',
      'false',
      'null',
      '/^a/i',
      '/\\d/',
      '/☃/',
      '/^$/',
      '/É/i',
    ];
    const comparison = fc.oneof(
      fc
        .tuple(
          fc.constantFrom(...FIELDS),
          fc.constantFrom('==', '!=', '>', '>=', '<', '<=', '~', 'contains'),
          fc.constantFrom(...LITERALS),
        )
        .map(([field, op, literal]) => `${field} ${op} ${literal}`),
      fc.constantFrom(...FIELDS).map((field) => `${field} exists`),
      fc.constantFrom(...FIELDS),
    );
    const { expression } = fc.letrec((tie) => ({
      expression: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        comparison,
        fc
          .tuple(tie('expression'), fc.constantFrom(' and ', ' or '), tie('expression'))
          .map(([a, op, b]) => `(${String(a)})${op}(${String(b)})`),
        tie('expression').map((e) => `not (${String(e)})`),
      ),
    }));
    await fc.assert(
      fc.asyncProperty(expression, fc.boolean(), async (where, invert) => {
        fc.pre(filterError({ where }) === null);
        await compare({ where, invert });
      }),
      { numRuns: 300, seed: 23 },
    );
  }, 180_000);
});
