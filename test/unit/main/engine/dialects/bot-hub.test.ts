import { describe, expect, it } from 'vitest';
import { botHubDialect, mapBotHubFrame } from '../../../../../src/main/engine/dialects/bot-hub';
import { BOT_HUB_SEED, RECEIVED_AT, context, frame } from './frame-fixtures';

describe('bot-hub dialect', () => {
  it('maps the seed login log line to every record field', () => {
    expect(mapBotHubFrame(frame('log', BOT_HUB_SEED.loginLog))).toEqual({
      event: 'log',
      time: 1778201531241,
      level: 'info',
      source: 'auth_client',
      entity: { type: 'bot', id: 'bot-1' },
      message:
        'POST https://11ef5c.playfabapi.com/Client/LoginWithEmailAddress?sdk=UnitySDK-2.178.230929 body={...}',
      data: JSON.parse(BOT_HUB_SEED.loginLog) as unknown,
      raw: BOT_HUB_SEED.loginLog,
      malformed: false,
    });
  });

  it('keeps the escaped quotes of the seed tcp log line in its message', () => {
    const mapped = mapBotHubFrame(frame('log', BOT_HUB_SEED.tcpLog));
    expect(mapped.message).toBe('VChk {ID="VChk" OS="Android" OSt=2}');
    expect(mapped.source).toBe('tcp');
    expect(mapped.time).toBe(1778201531870);
  });

  it('summarises a session snapshot as the bot and its status', () => {
    const mapped = mapBotHubFrame(frame('session', BOT_HUB_SEED.session));
    expect(mapped).toMatchObject({
      event: 'session',
      level: 'info',
      entity: { type: 'bot', id: 'bot-1' },
      message: 'bot-1 in_world',
      time: RECEIVED_AT,
      malformed: false,
    });
  });

  it('keeps the seed snapshot as printed (with its "..." elision) as a marked malformed frame', () => {
    const mapped = mapBotHubFrame(frame('session', BOT_HUB_SEED.sessionAsPrinted));
    expect(mapped).toMatchObject({
      event: 'session',
      level: 'warn',
      data: BOT_HUB_SEED.sessionAsPrinted,
      raw: null,
      malformed: true,
      time: RECEIVED_AT,
    });
    expect(mapped.message).toBe(`unparsed payload: ${BOT_HUB_SEED.sessionAsPrinted}`);
  });

  it.each([
    ['warn', 'warn'],
    ['error', 'error'],
    ['state', 'state'],
    ['WARNING', 'warn'],
    ['fatal', 'error'],
    ['chatty', 'info'],
  ])('takes the payload level %s as %s', (given, expected) => {
    const data = JSON.stringify({ timestamp_ms: 1778201531241, level: given, scope: 'bot', message: 'x' });
    expect(mapBotHubFrame(frame('log', data)).level).toBe(expected);
  });

  it('has no entity for a log line that is not bot-scoped', () => {
    const data =
      '{"timestamp_ms":1778201531241,"level":"info","scope":"seraph","session_id":null,"message":"up"}';
    expect(mapBotHubFrame(frame('log', data)).entity).toBeNull();
  });

  it('names an untyped frame "message" and still reads its fields', () => {
    const mapped = mapBotHubFrame(frame(null, BOT_HUB_SEED.loginLog));
    expect(mapped.event).toBe('message');
    expect(mapped.entity).toEqual({ type: 'bot', id: 'bot-1' });
  });

  it('uses the receive time when the payload has no timestamp_ms', () => {
    expect(mapBotHubFrame(frame('log', '{"level":"info","message":"hi"}')).time).toBe(RECEIVED_AT);
  });

  it('truncates the message of a long malformed payload', () => {
    const data = `{"trunc${'x'.repeat(500)}`;
    const mapped = mapBotHubFrame(frame('log', data));
    expect(mapped.malformed).toBe(true);
    expect(mapped.data).toBe(data);
    expect(mapped.message).toBe(`unparsed payload: ${data.slice(0, 120)}…`);
  });

  it('maps valid JSON of another shape gracefully, without marking it malformed', () => {
    const mapped = mapBotHubFrame(frame('log', '[1,2,3]'));
    expect(mapped).toMatchObject({
      level: 'info',
      entity: null,
      data: [1, 2, 3],
      raw: '[1,2,3]',
      malformed: false,
    });
    expect(mapped.message).toBe('[1,2,3]');
  });

  it('connects with a Bearer token over SSE and no watchdog unless configured', async () => {
    const hub = { id: 'bots', dialect: 'bot-hub' as const, url: 'http://127.0.0.1:8090/events' };
    const { plan } = botHubDialect.create(hub, context({ type: 'bearer', token: 'tok' }));
    expect(plan.transport).toBe('sse');
    expect(plan.silenceTimeoutMs).toBe(0);
    const request = await plan.prepare({ attempt: 0, lastEventId: null });
    expect(request.url).toBe('http://127.0.0.1:8090/events');
    expect(request.headers['Authorization']).toBe('Bearer tok');
    expect(botHubDialect.create({ ...hub, silenceTimeoutSec: 45 }, context()).plan.silenceTimeoutMs).toBe(
      45_000,
    );
  });

  it('sends the token as ?token= with query auth and keeps the hub headers', async () => {
    const hub = {
      id: 'bots',
      dialect: 'bot-hub' as const,
      url: 'http://127.0.0.1:8090/events',
      headers: { 'X-Team': 'ops' },
    };
    const { plan } = botHubDialect.create(hub, context({ type: 'query', param: 'token', value: 'a b' }));
    const request = await plan.prepare({ attempt: 0, lastEventId: null });
    expect(request.url).toBe('http://127.0.0.1:8090/events?token=a+b');
    expect(request.headers).toEqual({ 'X-Team': 'ops' });
    expect(request.credentialParams).toEqual(['token']);
  });

  it('stops as bad config instead of retrying a URL that cannot be used', async () => {
    const { plan } = botHubDialect.create({ id: 'b', dialect: 'bot-hub', url: 'not a url' }, context());
    await expect(plan.prepare({ attempt: 0, lastEventId: null })).rejects.toMatchObject({
      name: 'StopError',
      outcome: { state: 'failed', reason: 'bad_config' },
    });
  });
});
