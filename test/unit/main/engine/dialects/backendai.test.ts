import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BACKENDAI_TASK_FAILED_EVENTS,
  backendAiDialect,
  backgroundTaskIdOf,
  createBackendAiMapper,
  readBackendAiEntity,
} from '../../../../../src/main/engine/dialects/backendai';
import type { HubConfig } from '../../../../../src/shared/hub-config';
import { BACKENDAI_SEED, RECEIVED_AT, context, frame } from './frame-fixtures';

const TASK = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const sessionHub: HubConfig = {
  id: 'bai',
  dialect: 'backendai',
  url: 'http://127.0.0.1:8091/events/session?sessionId=*&group=*',
};
const taskHub: HubConfig = {
  id: 'bai-task',
  dialect: 'backendai',
  url: `http://127.0.0.1:8091/events/background-task?taskId=${TASK}`,
};
const sessionMap = createBackendAiMapper(null);
const taskMap = createBackendAiMapper(TASK);
const task = { type: 'task', id: TASK };

const taskEvent = (fields: Record<string, unknown>) => JSON.stringify({ task_id: TASK, ...fields });

describe('backendai dialect: sessions', () => {
  it('maps the seed session_terminated event (SUCCESS) to info', () => {
    expect(sessionMap(frame('session_terminated', BACKENDAI_SEED.sessionEvent))).toEqual({
      event: 'session_terminated',
      time: RECEIVED_AT,
      level: 'info',
      source: null,
      entity: { type: 'session', id: 'mysession-01' },
      message: 'mysession-01 terminated (SUCCESS): self-terminated',
      data: JSON.parse(BACKENDAI_SEED.sessionEvent) as unknown,
      raw: BACKENDAI_SEED.sessionEvent,
      malformed: false,
    });
  });

  it('maps a session terminated with result FAILURE to an error', () => {
    const data = BACKENDAI_SEED.sessionEvent.replace('SUCCESS', 'FAILURE');
    expect(sessionMap(frame('session_terminated', data))).toMatchObject({
      level: 'error',
      message: 'mysession-01 terminated (FAILURE): self-terminated',
    });
  });

  it.each(['session_preparing', 'session_pulling', 'session_creating', 'session_started'])(
    'names the phase of %s in its message',
    (event) => {
      const data = '{"sessionId":"mysession-01","ownerAccessKey":"AK","reason":null}';
      expect(sessionMap(frame(event, data))).toMatchObject({
        level: 'info',
        message: `mysession-01 ${event.slice('session_'.length)}`,
        entity: { type: 'session', id: 'mysession-01' },
      });
    },
  );
});

describe('backendai dialect: background tasks', () => {
  it('shows progress and the task message of task_updated', () => {
    const data = taskEvent({ current_progress: 40, total_progress: 100, message: 'preloading image' });
    expect(taskMap(frame('task_updated', data))).toMatchObject({
      level: 'info',
      entity: task,
      message: `task ${TASK} 40/100 preloading image`,
    });
  });

  it('ignores the current progress when the total is zero', () => {
    const data = taskEvent({ current_progress: 7, total_progress: 0, message: null });
    expect(taskMap(frame('task_updated', data)).message).toBe(`task ${TASK} updated`);
  });

  it.each(['task_failed', 'tak_failed', 'task_fail'])('maps %s to an error with its message', (event) => {
    expect(taskMap(frame(event, taskEvent({ message: 'no space left' })))).toMatchObject({
      event,
      level: 'error',
      entity: task,
      message: `task ${TASK} failed: no space left`,
    });
    expect(BACKENDAI_TASK_FAILED_EVENTS.has(event)).toBe(true);
  });

  it('maps task_cancelled to a warning and task_done to info', () => {
    expect(taskMap(frame('task_cancelled', taskEvent({})))).toMatchObject({
      level: 'warn',
      message: `task ${TASK} cancelled`,
    });
    expect(taskMap(frame('task_done', taskEvent({ message: null })))).toMatchObject({
      level: 'info',
      message: `task ${TASK} done`,
    });
  });

  it('names the task from the URL when server_close carries no task id', () => {
    expect(taskMap(frame('server_close', ''))).toMatchObject({
      entity: task,
      level: 'info',
      message: `server closed the stream (task ${TASK})`,
      malformed: false,
    });
    expect(taskMap(frame('server_close', '{}')).entity).toEqual(task);
  });

  it('keeps a failure whose payload is not JSON as an error, marked malformed', () => {
    expect(taskMap(frame('tak_failed', 'Traceback (most recent call last)'))).toMatchObject({
      level: 'error',
      malformed: true,
      entity: task,
    });
  });

  it('reads the task id of a background-task URL only', () => {
    expect(backgroundTaskIdOf(taskHub.url)).toBe(TASK);
    expect(backgroundTaskIdOf(sessionHub.url)).toBeNull();
    expect(backgroundTaskIdOf('not a url')).toBeNull();
  });
});

describe('backendai dialect: plan', () => {
  it('treats 404 on a background task as ended (task finished or expired) and replays from the start', () => {
    const { plan } = backendAiDialect.create(taskHub, context());
    expect(plan.classifyStatus!(404)).toEqual({
      state: 'ended',
      reason: 'task_expired',
      detail: 'task finished or expired',
    });
    expect(plan.classifyStatus!(500)).toBeUndefined();
    expect(plan.replaysFromStart).toBe(true);
  });

  it('keeps the default rules for a 404 on the session stream, which does not replay', () => {
    const { plan } = backendAiDialect.create(sessionHub, context());
    expect(plan.classifyStatus!(404)).toBeUndefined();
    expect(plan.replaysFromStart).toBe(false);
  });

  it('ends the hub at server_close without reconnecting', () => {
    const { plan } = backendAiDialect.create(taskHub, context());
    expect(plan.endsStream!(frame('server_close', ''))).toMatchObject({ reason: 'server_close' });
    expect(plan.endsStream!(frame('task_done', '{}'))).toBeNull();
  });

  it('signs every attempt afresh with headers an independent verifier accepts', async () => {
    let now = Date.UTC(2026, 4, 8, 23, 59, 59, 500);
    const auth = {
      type: 'backendai' as const,
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      apiVersion: 'v4.20190615',
    };
    const { plan } = backendAiDialect.create(sessionHub, context(auth, { now: () => now }));
    const firstRequest = await plan.prepare({ attempt: 0, lastEventId: null });
    now += 2_000; // crosses midnight UTC: the signing key's date changes too
    const secondRequest = await plan.prepare({ attempt: 1, lastEventId: null });

    for (const request of [firstRequest, secondRequest]) {
      // The algorithm as stated in seeds/README.md, written independently of auth.ts.
      const headers = request.headers;
      const date = headers['Date']!;
      const url = new URL(request.url);
      const day = `${date.slice(0, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`;
      const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
      const signingKey = hmac(hmac(auth.secretKey, day), url.host);
      const lines = [
        'GET',
        url.pathname + url.search,
        date,
        `host:${url.host}`,
        'content-type:application/json',
        `x-backendai-version:${auth.apiVersion}`,
        createHash('sha256').update('').digest('hex'),
      ];
      const signature = createHmac('sha256', signingKey).update(lines.join('\n')).digest('hex');
      expect(headers['Authorization']).toBe(
        `BackendAI signMethod=HMAC-SHA256, credential=${auth.accessKey}:${signature}`,
      );
      expect(headers['X-BackendAI-Version']).toBe('v4.20190615');
      expect(headers['Content-Type']).toBe('application/json');
      expect(url.pathname + url.search).toBe('/events/session?sessionId=*&group=*');
    }
    expect(firstRequest.headers['Date']).toBe('2026-05-08T23:59:59.500Z');
    expect(secondRequest.headers['Date']).toBe('2026-05-09T00:00:01.500Z');
    expect(secondRequest.headers['Authorization']).not.toBe(firstRequest.headers['Authorization']);
  });

  it.each(['task_failed', 'tak_failed', 'task_fail'])('reads %s as the end of a failed task', (event) => {
    expect(
      readBackendAiEntity({
        event,
        entity: { type: 'task', id: TASK },
        data: { task_id: TASK, message: 'boom' },
        message: null,
      }),
    ).toEqual({ type: 'task', message: 'boom', outcome: 'failed' });
  });

  it('reads a session event as the phase it starts, with its reason and owner', () => {
    expect(
      readBackendAiEntity({
        event: 'session_pulling',
        entity: { type: 'session', id: 's1' },
        data: { sessionId: 's1', reason: '', ownerAccessKey: 'AKIA' },
        message: null,
      }),
    ).toEqual({ type: 'session', phase: 'pulling', ownerAccessKey: 'AKIA' });
  });
});
