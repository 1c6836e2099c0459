import { describe, expect, it } from 'vitest';
import {
  mapProtocubeFrame,
  normalizeTopic,
  protocubeDialect,
} from '../../../../../src/main/engine/dialects/protocube';
import { PROTOCUBE_SEED, RECEIVED_AT, context, frame } from './frame-fixtures';

const server = { type: 'server', id: 'srv_01HZ...' };

describe('protocube dialect', () => {
  it('maps the seed status event from SSE', () => {
    expect(mapProtocubeFrame(frame('status', PROTOCUBE_SEED.statusSse))).toEqual({
      event: 'status',
      time: RECEIVED_AT,
      level: 'info',
      source: null,
      entity: server,
      message: 'srv_01HZ... → running',
      data: JSON.parse(PROTOCUBE_SEED.statusSse) as unknown,
      raw: PROTOCUBE_SEED.statusSse,
      malformed: false,
    });
  });

  it('takes the event name of a WebSocket message from its Topic', () => {
    const mapped = mapProtocubeFrame(frame(null, PROTOCUBE_SEED.statusWebSocket, { via: 'websocket' }));
    expect(mapped.event).toBe('status');
    expect(mapped.message).toBe('srv_01HZ... → running');
    expect(mapped.raw).toBe(PROTOCUBE_SEED.statusWebSocket);
  });

  it('maps the seed crash to an error at the crash timestamp', () => {
    const mapped = mapProtocubeFrame(frame(null, PROTOCUBE_SEED.crashWebSocket, { via: 'websocket' }));
    expect(mapped).toMatchObject({
      event: 'crash',
      level: 'error',
      entity: server,
      time: Date.UTC(2026, 3, 3, 12, 0, 0),
      message: 'srv_01HZ... crashed: signal: killed (exit 137)',
      malformed: false,
    });
  });

  it('maps a deleted server to a warning', () => {
    const data = '{"Topic":"deleted","Data":{"server_id":"srv_9","payload":null}}';
    expect(mapProtocubeFrame(frame('deleted', data))).toMatchObject({
      event: 'deleted',
      level: 'warn',
      entity: { type: 'server', id: 'srv_9' },
      message: 'srv_9 deleted',
    });
  });

  it('normalises a topic:suffix event name to the topic, from SSE and from WebSocket', () => {
    const crash = mapProtocubeFrame(frame('crash:node-7', PROTOCUBE_SEED.crashWebSocket));
    expect(crash.event).toBe('crash');
    expect(crash.level).toBe('error');
    const ws = '{"Topic":"status:abc","Data":{"server_id":"srv_1","payload":"stopping"}}';
    expect(mapProtocubeFrame(frame(null, ws, { via: 'websocket' })).event).toBe('status');
  });

  it.each([
    ['status', 'status'],
    ['crash:a:b', 'crash'],
    [':odd', 'message'],
    ['', 'message'],
  ])('normalises the topic %j to %j', (topic, expected) => {
    expect(normalizeTopic(topic)).toBe(expected);
  });

  it('describes a crash that gives only part of its details', () => {
    const onlyExit = '{"Topic":"crash","Data":{"server_id":"s","payload":{"exit_code":1}}}';
    expect(mapProtocubeFrame(frame('crash', onlyExit)).message).toBe('s crashed: exit 1');
    const nothing = '{"Topic":"crash","Data":{"server_id":"s","payload":null}}';
    expect(mapProtocubeFrame(frame('crash', nothing)).message).toBe('s crashed');
  });

  it('keeps the receive time when a crash timestamp is not a time', () => {
    const data = '{"Topic":"crash","Data":{"server_id":"s","payload":{"timestamp":"yesterday"}}}';
    expect(mapProtocubeFrame(frame('crash', data)).time).toBe(RECEIVED_AT);
  });

  it('lets a level stated in the message win over the derived one', () => {
    const data = '{"Topic":"crash","level":"warning","Data":{"server_id":"s","payload":null}}';
    expect(mapProtocubeFrame(frame('crash', data)).level).toBe('warn');
  });

  it('maps an unknown topic as info naming the server', () => {
    const data = '{"Topic":"backup","Data":{"server_id":"s","payload":"done"}}';
    expect(mapProtocubeFrame(frame('backup', data))).toMatchObject({
      level: 'info',
      message: 's backup: done',
    });
  });

  it('maps a Data that is not the server wrapper without an entity', () => {
    const data = '{"Topic":"status","Data":"running"}';
    expect(mapProtocubeFrame(frame('status', data))).toMatchObject({
      entity: null,
      message: 'server → running',
      malformed: false,
    });
  });

  it('keeps a crash whose payload is not JSON as an error, marked malformed', () => {
    expect(mapProtocubeFrame(frame('crash', 'node on fire'))).toMatchObject({
      event: 'crash',
      level: 'error',
      data: 'node on fire',
      malformed: true,
    });
    expect(mapProtocubeFrame(frame('status', 'node on fire')).level).toBe('warn');
  });

  it('opens a WebSocket for a ws: URL with the Bearer token on the upgrade', async () => {
    const hub = { id: 'cube', dialect: 'protocube' as const, url: 'ws://127.0.0.1:9000/api/events/ws' };
    const { plan } = protocubeDialect.create(hub, context({ type: 'bearer', token: 'sls_live_x' }));
    expect(plan.transport).toBe('websocket');
    const request = await plan.prepare({ attempt: 0, lastEventId: null });
    expect(request).toMatchObject({
      url: 'ws://127.0.0.1:9000/api/events/ws',
      headers: { Authorization: 'Bearer sls_live_x' },
    });
  });

  it('opens an https URL configured with transport websocket as wss', async () => {
    const hub = {
      id: 'cube',
      dialect: 'protocube' as const,
      transport: 'websocket' as const,
      url: 'https://cube.example/api/events/ws',
    };
    const request = await protocubeDialect
      .create(hub, context())
      .plan.prepare({ attempt: 0, lastEventId: null });
    expect(request.url).toBe('wss://cube.example/api/events/ws');
  });

  it('streams SSE from an http URL', () => {
    const hub = { id: 'cube', dialect: 'protocube' as const, url: 'http://127.0.0.1:9000/api/events' };
    expect(protocubeDialect.create(hub, context()).plan.transport).toBe('sse');
  });
});
