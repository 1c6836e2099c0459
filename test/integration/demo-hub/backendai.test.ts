import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TASK_IDS } from '../../../src/demo-hub/demo-config';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { backendAiHeaders, json, openStream, sleep, takeEvents, type SseEvent } from './support';

let hub: DemoHub;
let host: string;

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, rate: 1000 });
  host = new URL(hub.url).host;
});
afterAll(() => hub.close());

/** Headers signed for `pathWithQuery` with the demo keypair, overridable for the failure cases. */
function signed(
  pathWithQuery: string,
  overrides: Partial<Parameters<typeof backendAiHeaders>[0]> = {},
): Record<string, string> {
  const { accessKey, secretKey, apiVersion } = hub.credentials.backendAi;
  return backendAiHeaders({ pathWithQuery, host, accessKey, secretKey, version: apiVersion, ...overrides });
}

/** Opens a signed stream and returns the response (status, headers, events). */
async function get(
  pathWithQuery: string,
  headers = signed(pathWithQuery),
): Promise<Awaited<ReturnType<typeof openStream>>> {
  return openStream(`${hub.url}${pathWithQuery}`, { headers });
}

async function problem(
  pathWithQuery: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown>; type: string }> {
  const response = await fetch(`${hub.url}${pathWithQuery}`, { headers });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as Record<string, unknown>,
  };
}

interface SessionData {
  sessionId: string;
  ownerAccessKey: string;
  reason: string | null;
  result?: string;
}

const SESSION_EVENTS = [
  'session_preparing',
  'session_pulling',
  'session_creating',
  'session_started',
  'session_terminated',
];
const ALL_SESSIONS = '/backendai/events/session?sessionId=*&group=*';

async function sessions(pathWithQuery: string, count: number): Promise<SseEvent[]> {
  return takeEvents(`${hub.url}${pathWithQuery}`, count, signed(pathWithQuery));
}

describe('the demo Backend.AI keypair check', () => {
  it('accepts a request signed independently as the seed describes', async () => {
    const response = await get(ALL_SESSIONS);
    try {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream');
      await response.untilEvents(1);
    } finally {
      response.close();
    }
  });

  it('accepts a Date with a UTC offset, signed with the calendar day as written', async () => {
    // A ±12:00 offset always puts the written calendar day on another day than UTC's, so
    // the key must be derived from the day in the header, not from the instant.
    const now = Date.now();
    const ahead = new Date(now).getUTCHours() >= 12;
    const shifted = new Date(now + (ahead ? 12 : -12) * 3600_000).toISOString();
    const date = shifted.replace('Z', ahead ? '+12:00' : '-12:00');
    expect(date.slice(0, 10)).not.toBe(new Date(now).toISOString().slice(0, 10));
    const response = await get(ALL_SESSIONS, signed(ALL_SESSIONS, { date }));
    response.close();
    expect(response.status).toBe(200);
  });

  it('answers 401 problem+json to a wrong signature', async () => {
    const headers = signed(ALL_SESSIONS, { secretKey: 'not-the-secret' });
    const answer = await problem(ALL_SESSIONS, headers);
    expect(answer.status).toBe(401);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 401, title: 'Credential/signature mismatch.' });
  });

  it('answers 401 when the signature covers another path or query than the request line', async () => {
    const headers = signed('/backendai/events/session?sessionId=*');
    expect((await problem(ALL_SESSIONS, headers)).status).toBe(401);
  });

  it('answers 401 to a Date more than 15 minutes off, and accepts one 14 minutes off', async () => {
    const stale = new Date(Date.now() - 16 * 60_000).toISOString();
    const answer = await problem(ALL_SESSIONS, signed(ALL_SESSIONS, { date: stale }));
    expect(answer.status).toBe(401);
    expect(String(answer.body['detail'])).toMatch(/15 minutes/);
    const future = new Date(Date.now() + 16 * 60_000).toISOString();
    expect((await problem(ALL_SESSIONS, signed(ALL_SESSIONS, { date: future }))).status).toBe(401);
    const near = new Date(Date.now() - 14 * 60_000).toISOString();
    const response = await get(ALL_SESSIONS, signed(ALL_SESSIONS, { date: near }));
    response.close();
    expect(response.status).toBe(200);
  });

  it('answers 401 to a missing X-BackendAI-Version, Authorization or Date, and to an unknown access key', async () => {
    const without = (name: string): Record<string, string> => {
      const headers = signed(ALL_SESSIONS);
      delete headers[name];
      return headers;
    };
    const version = await problem(ALL_SESSIONS, without('X-BackendAI-Version'));
    expect(version.status).toBe(401);
    expect(version.type).toBe('application/problem+json');
    expect(String(version.body['detail'])).toMatch(/X-BackendAI-Version/);
    expect((await problem(ALL_SESSIONS, without('Authorization'))).status).toBe(401);
    expect((await problem(ALL_SESSIONS, without('Date'))).status).toBe(401);
    const unknown = await problem(ALL_SESSIONS, signed(ALL_SESSIONS, { accessKey: 'AKIAUNKNOWN000000000' }));
    expect(unknown.status).toBe(401);
    expect(String(unknown.body['detail'])).toMatch(/unknown access key/);
  });
});

describe('the demo Backend.AI session lifecycle stream', () => {
  it('sends the five lifecycle events with {sessionId, ownerAccessKey, reason} and result only on termination', async () => {
    const events = await sessions(ALL_SESSIONS, 200);
    for (const event of events) {
      expect(SESSION_EVENTS).toContain(event.event);
      const data = json<SessionData>(event);
      if (event.event === 'session_terminated') {
        expect(Object.keys(data)).toEqual(['sessionId', 'ownerAccessKey', 'reason', 'result']);
        expect(['UNDEFINED', 'SUCCESS', 'FAILURE']).toContain(data.result);
      } else {
        expect(Object.keys(data)).toEqual(['sessionId', 'ownerAccessKey', 'reason']);
      }
      expect(data.ownerAccessKey).toMatch(/^AKIA[A-Z0-9]{16}$/);
    }
    const results = new Set(
      events.filter((e) => e.event === 'session_terminated').map((e) => json<SessionData>(e).result),
    );
    expect(results).toEqual(new Set(['UNDEFINED', 'SUCCESS', 'FAILURE']));
  });

  it('shows every lifecycle event and a FAILURE within the first 80 events, 20 s at the default rate', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const events = await sessions(`${ALL_SESSIONS}&seed=${seed}`, 80);
      expect(new Set(events.map((e) => e.event))).toEqual(new Set(SESSION_EVENTS));
      expect(events.some((e) => json<SessionData>(e).result === 'FAILURE')).toBe(true);
    }
  });

  it('treats a missing filter like *', async () => {
    const star = await sessions(ALL_SESSIONS, 30);
    const none = await sessions('/backendai/events/session', 30);
    expect(none.map((e) => [e.event, e.data])).toEqual(star.map((e) => [e.event, e.data]));
  });

  it('honours the sessionId filter', async () => {
    const all = await sessions(ALL_SESSIONS, 40);
    const target = json<SessionData>(all[6]!).sessionId;
    const only = await sessions(`/backendai/events/session?sessionId=${target}&group=*`, 3);
    for (const event of only) expect(json<SessionData>(event).sessionId).toBe(target);
    expect(only.map((e) => e.data)).toEqual(
      all
        .filter((e) => json<SessionData>(e).sessionId === target)
        .slice(0, 3)
        .map((e) => e.data),
    );
  });

  it('honours the group filter: each group sees a disjoint part of the same sequence', async () => {
    const all = (await sessions(ALL_SESSIONS, 400)).map((e) => e.data);
    const byGroup = async (group: string): Promise<string[]> =>
      (await sessions(`/backendai/events/session?sessionId=*&group=${group}`, 20)).map((e) => e.data);
    const [defaults, research] = await Promise.all([byGroup('default'), byGroup('research')]);
    const isSubsequence = (part: string[]): boolean => {
      let at = 0;
      for (const item of all) if (item === part[at]) at += 1;
      return at === part.length;
    };
    expect(isSubsequence(defaults)).toBe(true);
    expect(isSubsequence(research)).toBe(true);
    const ids = (part: string[]): Set<string> =>
      new Set(part.map((d) => (JSON.parse(d) as SessionData).sessionId));
    const shared = [...ids(defaults)].filter((id) => ids(research).has(id));
    expect(shared).toEqual([]);
    const nobody = await get('/backendai/events/session?sessionId=*&group=nobody&rate=100000');
    await sleep(200);
    nobody.close();
    expect(nobody.status).toBe(200);
    expect(nobody.events).toEqual([]);
  });

  it('honours the ownerAccessKey filter', async () => {
    const owner = 'AKIAJUNHOSTUDENT0002';
    const events = await sessions(`${ALL_SESSIONS}&ownerAccessKey=${owner}`, 15);
    for (const event of events) expect(json<SessionData>(event).ownerAccessKey).toBe(owner);
  });
});

describe('the demo Backend.AI background tasks', () => {
  const task = (id: string): string => `/backendai/events/background-task?taskId=${id}`;

  async function follow(id: string): Promise<SseEvent[]> {
    const response = await get(task(id));
    expect(response.status).toBe(200);
    await response.finished();
    expect(response.outcome).toBe('end');
    return response.events;
  }

  it.each([
    [DEMO_TASK_IDS.done, 'task_done'],
    [DEMO_TASK_IDS.failedTypo, 'tak_failed'],
    [DEMO_TASK_IDS.failed, 'task_failed'],
    [DEMO_TASK_IDS.cancelled, 'task_cancelled'],
  ])(
    'plays task %s with progress, then %s, then server_close, then ends the response',
    async (id, outcome) => {
      const events = await follow(id);
      const names = events.map((e) => e.event);
      expect(names.slice(-2)).toEqual([outcome, 'server_close']);
      const updates = events.slice(0, -2);
      expect(updates.length).toBeGreaterThanOrEqual(3);
      updates.forEach((update, i) => {
        expect(update.event).toBe('task_updated');
        const data = json<{
          task_id: string;
          current_progress: number;
          total_progress: number;
          message: string | null;
        }>(update);
        expect(Object.keys(data)).toEqual(['task_id', 'current_progress', 'total_progress', 'message']);
        expect(data.task_id).toBe(id);
        expect(data.current_progress).toBe(i + 1);
        expect(data.total_progress === 0 || data.total_progress >= data.current_progress).toBe(true);
      });
      expect(json(events.at(-2)!)).toMatchObject({ task_id: id });
    },
  );

  it('replays a task from its start to each new subscriber', async () => {
    const first = await follow(DEMO_TASK_IDS.done);
    const second = await follow(DEMO_TASK_IDS.done);
    expect(second).toEqual(first);
    expect(json(second[0]!)).toMatchObject({ current_progress: 1 });
  });

  it('finishes every configured task within 20 s at the default rate', async () => {
    for (const id of [DEMO_TASK_IDS.done, DEMO_TASK_IDS.failedTypo, DEMO_TASK_IDS.cancelled]) {
      // At 4 events per second a task of n events lasts (n - 1) / 4 seconds.
      expect((await follow(id)).length).toBeLessThanOrEqual(80);
    }
  });

  it('answers 404 problem+json for an expired or unknown task and 400 without a taskId', async () => {
    const expired = await problem(task(DEMO_TASK_IDS.expired), signed(task(DEMO_TASK_IDS.expired)));
    expect(expired.status).toBe(404);
    expect(expired.type).toBe('application/problem+json');
    expect(String(expired.body['detail'])).toMatch(/expired/);
    const unknownId = '00000000-0000-4000-8000-000000000000';
    expect((await problem(task(unknownId), signed(task(unknownId)))).status).toBe(404);
    expect((await problem(task('nonsense'), signed(task('nonsense')))).status).toBe(404);
    const bare = '/backendai/events/background-task';
    expect((await problem(bare, signed(bare))).status).toBe(400);
  });

  it('checks the signature on the task stream too', async () => {
    const path = task(DEMO_TASK_IDS.done);
    expect((await problem(path, signed(path, { secretKey: 'wrong' }))).status).toBe(401);
  });
});
