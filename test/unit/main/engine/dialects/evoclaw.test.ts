import { describe, expect, it } from 'vitest';
import {
  evoclawDialect,
  evoclawPollUrl,
  mapEvoclawFrame,
} from '../../../../../src/main/engine/dialects/evoclaw';
import { EVOCLAW_SEED, context, frame } from './frame-fixtures';

/** Epoch ms of a local wall-clock time (the machine's time zone, as the dialect uses). */
const local = (day: number, hours: number, minutes: number, seconds: number) =>
  new Date(2026, 4, day, hours, minutes, seconds).getTime();

const hub = { id: 'evo', dialect: 'evoclaw' as const, url: 'http://127.0.0.1:8420/api/logs/stream' };

describe('evoclaw dialect', () => {
  it('maps the seed log line with its HH:MM:SS time on the day it arrived', () => {
    const receivedAt = local(8, 10, 30, 7);
    expect(mapEvoclawFrame(frame(null, EVOCLAW_SEED.request, { receivedAt }))).toEqual({
      event: 'message',
      time: local(8, 10, 30, 5),
      level: 'info',
      source: 'api',
      entity: null,
      message: 'HTTP request completed',
      data: JSON.parse(EVOCLAW_SEED.request) as unknown,
      raw: EVOCLAW_SEED.request,
      malformed: false,
    });
  });

  it('maps the seed heartbeat line as an ordinary info event from the system component', () => {
    const mapped = mapEvoclawFrame(frame(null, EVOCLAW_SEED.heartbeat, { receivedAt: local(8, 10, 30, 10) }));
    expect(mapped).toMatchObject({ source: 'system', level: 'info', message: 'heartbeat: 3 agents online' });
    expect(mapped.time).toBe(local(8, 10, 30, 10));
  });

  it('puts 23:59:59 received just after midnight on the previous day', () => {
    const receivedAt = local(8, 0, 0, 2);
    const data = '{"time":"23:59:59","level":"info","component":"api","message":"late"}';
    expect(mapEvoclawFrame(frame(null, data, { receivedAt })).time).toBe(local(7, 23, 59, 59));
  });

  it('puts 00:00:01 received just before midnight on the next day', () => {
    const receivedAt = local(7, 23, 59, 58);
    const data = '{"time":"00:00:01","level":"warn","component":"api","message":"early clock"}';
    const mapped = mapEvoclawFrame(frame(null, data, { receivedAt }));
    expect(mapped.time).toBe(local(8, 0, 0, 1));
    expect(mapped.level).toBe('warn');
  });

  it('uses the receive time when the time is not HH:MM:SS', () => {
    const data = '{"time":"half past ten","level":"info","component":"api","message":"x"}';
    expect(mapEvoclawFrame(frame(null, data, { receivedAt: 5_000_000 })).time).toBe(5_000_000);
  });

  it.each([
    ['debug', 'debug'],
    ['error', 'error'],
  ])('keeps the documented level %s', (level, expected) => {
    const data = JSON.stringify({ time: '10:30:05', level, component: 'mqtt', message: 'x' });
    expect(mapEvoclawFrame(frame(null, data)).level).toBe(expected);
  });

  it('maps a status poll to a "status" event', () => {
    const mapped = mapEvoclawFrame(frame(null, '{"status":"running","agents":3}', { via: 'poll' }));
    expect(mapped).toMatchObject({
      event: 'status',
      message: 'status: running',
      level: 'info',
      malformed: false,
    });
  });

  it('counts the agents a status poll reports', () => {
    const online = mapEvoclawFrame(
      frame(null, '{"status":"ok","agents_online":3,"agents":[{},{},{}]}', { via: 'poll' }),
    );
    expect(online.message).toBe('status: ok, 3 agents online');
    const listed = mapEvoclawFrame(frame(null, '{"agents":[{"id":"a"}]}', { via: 'poll' }));
    expect(listed.message).toBe('status: 1 agents');
  });

  it('keeps an HTML error page from a poll, marked malformed', () => {
    const mapped = mapEvoclawFrame(frame(null, '<html>502</html>', { via: 'poll' }));
    expect(mapped).toMatchObject({
      event: 'status',
      level: 'warn',
      malformed: true,
      data: '<html>502</html>',
    });
  });

  it('watches for 20 s of silence by default (heartbeats come every 5 s)', () => {
    expect(evoclawDialect.create(hub, context()).plan.silenceTimeoutMs).toBe(20_000);
    expect(evoclawDialect.create({ ...hub, silenceTimeoutSec: 0 }, context()).plan.silenceTimeoutMs).toBe(0);
  });

  it('polls /api/status every 30 s by default while the stream fails', async () => {
    const fallback = evoclawDialect.create(hub, context()).plan.pollFallback!;
    expect(fallback.intervalMs).toBe(30_000);
    expect((await fallback.prepare()).url).toBe('http://127.0.0.1:8420/api/status');
  });

  it('polls the configured pollUrl at the configured interval', async () => {
    const configured = { ...hub, pollUrl: 'http://127.0.0.1:9999/health', pollIntervalSec: 5 };
    const fallback = evoclawDialect.create(configured, context()).plan.pollFallback!;
    expect(fallback.intervalMs).toBe(5_000);
    expect((await fallback.prepare()).url).toBe('http://127.0.0.1:9999/health');
  });

  it('derives the status URL under a path prefix, or on the origin for other stream paths', () => {
    expect(evoclawPollUrl({ url: 'https://h/evo/api/logs/stream' })).toBe('https://h/evo/api/status');
    expect(evoclawPollUrl({ url: 'https://h/logs' })).toBe('https://h/api/status');
  });
});
