import { describe, expect, it } from 'vitest';
import { createGenericMapper, genericDialect } from '../../../../../src/main/engine/dialects/generic';
import { RECEIVED_AT, context, frame } from './frame-fixtures';

describe('generic dialect', () => {
  it('reads the fields named by the field map of the design example', () => {
    const map = createGenericMapper({ time: 'ts', level: 'severity', message: 'msg', source: 'component' });
    const data =
      '{"ts":"2026-05-08T01:00:00.250+02:00","severity":"WARNING","msg":"disk 91%","component":"df"}';
    expect(map(frame('alert', data))).toEqual({
      event: 'alert',
      time: Date.UTC(2026, 4, 7, 23, 0, 0, 250),
      level: 'warn',
      source: 'df',
      entity: null,
      message: 'disk 91%',
      data: JSON.parse(data) as unknown,
      raw: data,
      malformed: false,
    });
  });

  it('follows dotted paths, including array indexes, and builds the configured entity', () => {
    const map = createGenericMapper({ message: 'log.lines.0', entity: 'meta.host', entityType: 'server' });
    const data = '{"log":{"lines":["first","second"]},"meta":{"host":42}}';
    expect(map(frame(null, data))).toMatchObject({
      event: 'message',
      message: 'first',
      entity: { type: 'server', id: '42' },
    });
  });

  it('falls back to msg, severity and timestamp when nothing is configured', () => {
    const map = createGenericMapper();
    const data = '{"msg":"hello","severity":"error","timestamp":1778203931}';
    expect(map(frame(null, data))).toMatchObject({ message: 'hello', level: 'error', time: 1778203931000 });
  });

  it('falls back to the usual names when a configured path is missing from a payload', () => {
    const map = createGenericMapper({ message: 'text' });
    expect(map(frame(null, '{"message":"plain"}')).message).toBe('plain');
  });

  it('accepts plain text as a normal event, not a malformed one', () => {
    const map = createGenericMapper();
    expect(map(frame('line', 'GET /health 200'))).toEqual({
      event: 'line',
      time: RECEIVED_AT,
      level: 'info',
      source: null,
      entity: null,
      message: 'GET /health 200',
      data: 'GET /health 200',
      raw: null,
      malformed: false,
    });
  });

  it('takes the event name from fields.event only when the frame has none', () => {
    const map = createGenericMapper({ event: 'type' });
    expect(map(frame(null, '{"type":"deploy"}', { via: 'websocket' })).event).toBe('deploy');
    expect(map(frame('named', '{"type":"deploy"}')).event).toBe('named');
  });

  it('never reads inherited properties through a configured path', () => {
    const map = createGenericMapper({ message: 'constructor.name', source: 'toString' });
    const mapped = map(frame(null, '{"a":1}'));
    expect(mapped.message).toBe('{"a":1}');
    expect(mapped.source).toBeNull();
  });

  it('writes numbers and booleans at the message path as text', () => {
    expect(createGenericMapper({ message: 'n' })(frame(null, '{"n":3.5}')).message).toBe('3.5');
  });

  it('uses the receive time when the configured time is not a time', () => {
    const map = createGenericMapper({ time: 'when' });
    expect(map(frame(null, '{"when":"soon"}')).time).toBe(RECEIVED_AT);
  });

  it('plans SSE or WebSocket from the URL and sends the configured headers', async () => {
    const hub = {
      id: 'any',
      dialect: 'generic' as const,
      transport: 'sse' as const,
      url: 'https://example.test/stream',
      headers: { 'X-Team': 'ops' },
    };
    const { plan } = genericDialect.create(hub, context());
    expect(plan.transport).toBe('sse');
    expect((await plan.prepare({ attempt: 0, lastEventId: null })).headers).toEqual({ 'X-Team': 'ops' });
    const ws = genericDialect.create(
      { id: 'w', dialect: 'generic', url: 'wss://example.test/ws' },
      context(),
    );
    expect(ws.plan.transport).toBe('websocket');
  });

  it('reads the payload of a mapped entity the way the dialect of that entity type does', () => {
    const read = genericDialect.entityUpdate!;
    expect(
      read({
        event: 'task_done',
        entity: { type: 'task', id: 't1' },
        data: { current_progress: 3, total_progress: 4, message: 'ok' },
        message: null,
      }),
    ).toEqual({ type: 'task', current: 3, total: 4, message: 'ok', outcome: 'done' });
    expect(
      read({ event: 'output', entity: { type: 'command', id: 'c1' }, data: { line: 'hi' }, message: null }),
    ).toEqual({ type: 'command', output: { stream: 'stdout', line: 'hi' } });
    expect(read({ event: 'output', entity: null, data: { line: 'hi' }, message: null })).toBeNull();
  });
});
