import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestedEvent } from '../../../src/main/engine/event-record';
import type { JsonValue } from '../../../src/shared/hub-event';
import { History } from '../../../src/main/engine/history/history';

let dir = '';
const T0 = Date.now() - 3_600_000;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hubwatch-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(
  hub: string,
  seq: number,
  at: number,
  extra: Partial<{ level: 'info' | 'error'; message: string; raw: string }> = {},
) {
  const raw = extra.raw ?? `{"n":${seq},"big":12345678901234567890}`;
  return new IngestedEvent(
    hub,
    seq,
    at,
    at,
    'log',
    String(seq),
    extra.level ?? 'info',
    'src',
    { type: 'bot', id: `bot-${seq % 3}` },
    extra.message ?? `message ${seq}`,
    JSON.parse(raw) as JsonValue,
    raw,
    false,
  );
}

describe('the history store', () => {
  it('keeps appended records across a reopen, answering pages, counts, histograms and lookups', async () => {
    const history = await History.open({
      dir,
      journal: { flushMs: 10, rotateRows: 50 },
      onNotice: (l, m) => console.log('NOTICE', l, m),
    });
    let arrival = 0;
    for (let seq = 1; seq <= 120; seq++) {
      history.append(
        record('a', seq, T0 + seq * 1000, { level: seq % 10 === 0 ? 'error' : 'info' }),
        ++arrival,
        'bot-hub',
      );
      history.append(record('b', seq, T0 + seq * 1000), ++arrival, 'generic');
    }
    await history.settle();
    expect(await history.queries.count({})).toBe(240);
    expect(await history.queries.count({ levels: ['error'] })).toBe(12);
    expect(await history.queries.count({ text: 'MESSAGE 11' })).toBe(2 * 11);
    expect(await history.queries.count({ where: 'data.n > 100' })).toBe(40);
    const page = await history.queries.page({ hubs: ['a'] }, { limit: 5 });
    expect(page.map((e) => e.seq)).toEqual([120, 119, 118, 117, 116]);
    const older = await history.queries.page({ hubs: ['a'] }, { limit: 3, beforeArrival: page[4]!.arrival });
    expect(older.map((e) => e.seq)).toEqual([115, 114, 113]);
    const one = await history.queries.get('b', 77);
    expect(one?.raw).toBe('{"n":77,"big":12345678901234567890}');
    const histogram = await history.queries.histogram({}, { bucketMs: 60_000 });
    expect(histogram.total).toBe(240);
    await history.close();

    const again = await History.open({ dir });
    expect(again.hubEnd('a')).toMatchObject({
      lastSeq: 120,
      lastId: '120',
      lastArrival: 239,
      lastEvent: 'log',
    });
    expect(again.hubEnd('a')?.recentIds.at(-1)).toBe('120');
    expect(again.lastArrival).toBe(240);
    expect(await again.queries.count({})).toBe(240);
    const all = [];
    for await (const batch of again.queries.records({ hubs: ['b'] })) all.push(...batch.map((e) => e.seq));
    expect(all).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    await again.close();
  });
});
