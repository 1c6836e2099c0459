import { describe, expect, it } from 'vitest';
import { formatConfigIssues, validateConfig, type ConfigIssue } from '../../../src/shared/config-validation';

/** The example config of DESIGN.md, verbatim. */
const DESIGN_EXAMPLE = {
  hubs: [
    {
      id: 'bots',
      name: 'Bot fleet',
      dialect: 'bot-hub',
      url: 'http://127.0.0.1:8090/events',
      auth: { type: 'bearer', token: { env: 'BOT_TOKEN' } },
    },
    {
      id: 'cube',
      dialect: 'protocube',
      transport: 'websocket',
      url: 'ws://127.0.0.1:9000/api/events/ws',
      auth: { type: 'bearer', token: 'sls_live_x' },
    },
    {
      id: 'evo',
      dialect: 'evoclaw',
      url: 'http://127.0.0.1:8420/api/logs/stream',
      pollUrl: 'http://127.0.0.1:8420/api/status',
    },
    {
      id: 'build',
      dialect: 'rdev',
      url: 'http://127.0.0.1:8080',
      project: 'my-project',
      command: 'npm test',
      auth: { type: 'header', name: 'X-API-Key', value: { env: 'RDEV_KEY' } },
    },
    {
      id: 'bai',
      dialect: 'backendai',
      url: 'http://127.0.0.1:8091/events/session?sessionId=*&group=*',
      auth: { type: 'backendai', accessKey: 'AKIA...', secretKey: { env: 'BAI_SECRET' } },
    },
    {
      id: 'any',
      dialect: 'generic',
      transport: 'sse',
      url: 'https://example.test/stream',
      headers: { 'X-Team': 'ops' },
      fields: { time: 'ts', level: 'severity', message: 'msg', source: 'component' },
    },
  ],
};

const base = { id: 'h', dialect: 'bot-hub', url: 'http://127.0.0.1:1/events' };

/** The issues of a config with one hub made of `base` and `overrides`. */
function issuesOf(overrides: Record<string, unknown>): ConfigIssue[] {
  const result = validateConfig({ hubs: [{ ...base, ...overrides }] });
  return result.ok ? [] : result.errors;
}

function lines(input: unknown): string {
  const result = validateConfig(input);
  return result.ok ? '' : formatConfigIssues(result.errors);
}

describe('config validation', () => {
  it('accepts the design example unchanged', () => {
    expect(validateConfig(DESIGN_EXAMPLE)).toEqual({ ok: true, config: DESIGN_EXAMPLE });
  });

  it('returns a copy that does not share objects with the input', () => {
    const result = validateConfig(DESIGN_EXAMPLE);
    if (!result.ok) throw new Error('expected a valid config');
    expect(result.config.hubs[5]!.fields).not.toBe(DESIGN_EXAMPLE.hubs[5]!.fields);
  });

  it('accepts an empty hubs array and a $schema key', () => {
    expect(validateConfig({ $schema: './hubwatch.schema.json', hubs: [] })).toEqual({
      ok: true,
      config: { hubs: [] },
    });
  });

  it('names the hub and the field: a bearer hub without its token', () => {
    expect(
      lines({ hubs: [{ id: 'bots', dialect: 'bot-hub', url: 'http://x/events', auth: { type: 'bearer' } }] }),
    ).toBe('hub "bots" (hubs[0]): auth.token: required for bearer auth');
  });

  it('reports every problem of every hub, and rejects the whole config', () => {
    const result = validateConfig({
      hubs: [
        { id: 'ok', dialect: 'bot-hub', url: 'http://x/events' },
        { id: 'bad one', dialect: 'nope', url: 'ftp://x' },
        { dialect: 'rdev', url: 'http://x' },
      ],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : formatConfigIssues(result.errors)).toBe(
      [
        'hub "bad one" (hubs[1]): id: must be 1–64 characters of letters, digits, ".", "_" or "-"',
        'hub "bad one" (hubs[1]): dialect: must be one of "bot-hub", "protocube", "evoclaw", "rdev", "backendai", "generic"',
        'hub "bad one" (hubs[1]): url: must be an http(s):// or ws(s):// URL, not ftp://',
        'hubs[2]: id: required',
        'hubs[2]: project: required for the rdev dialect',
        'hubs[2]: command: required for the rdev dialect (or streamId to follow a running command)',
      ].join('\n'),
    );
  });

  it('rejects a config that is not an object with a hubs array', () => {
    expect(lines([])).toBe('config: must be a JSON object with a "hubs" array');
    expect(lines({})).toBe('hubs: required (an array of hubs)');
    expect(lines({ hubs: {} })).toBe('hubs: must be an array of hubs');
    expect(lines({ hubs: ['x'] })).toBe('hubs[0]: must be an object');
  });

  it('rejects unknown fields, suggesting the field a typo meant', () => {
    expect(issuesOf({ pollURL: 'http://x' })).toEqual([
      { hubId: 'h', index: 0, field: 'pollURL', message: 'unknown field (did you mean "pollUrl"?)' },
    ]);
    expect(issuesOf({ colour: 'red' })[0]!.message).toBe('unknown field');
    expect(lines({ hubs: [], hub: [] })).toBe('hub: unknown field (did you mean "hubs"?)');
    expect(issuesOf({ auth: { type: 'bearer', token: 't', tokn: 'x' } })[0]!.field).toBe('auth.tokn');
  });

  it('rejects duplicate ids, naming the first hub that has it', () => {
    expect(lines({ hubs: [base, base] })).toBe('hub "h" (hubs[1]): id: duplicate of hubs[0]');
  });

  it.each([
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['bots.prod_2-b', true],
    ['', false],
    ['bots/prod', false],
    ['bøts', false],
  ])('checks the id %j (valid: %s)', (id, valid) => {
    expect(issuesOf({ id }).some((issue) => issue.field === 'id')).toBe(!valid);
  });

  it('requires a parseable URL', () => {
    expect(issuesOf({ url: undefined })).toMatchObject([{ field: 'url', message: 'required' }]);
    expect(issuesOf({ url: 'http//missing-colon' })).toMatchObject([
      { field: 'url', message: 'is not a valid URL' },
    ]);
  });

  it('accepts WebSocket only for the dialects that speak it', () => {
    expect(issuesOf({ dialect: 'protocube', url: 'wss://cube/api/events/ws' })).toEqual([]);
    expect(issuesOf({ dialect: 'generic', transport: 'websocket', url: 'https://x/ws' })).toEqual([]);
    expect(issuesOf({ url: 'ws://x/events' })).toMatchObject([
      { field: 'url', message: 'the bot-hub dialect speaks SSE only (WebSocket: protocube, generic)' },
    ]);
    expect(issuesOf({ transport: 'websocket' })).toMatchObject([{ field: 'transport' }]);
    expect(issuesOf({ dialect: 'protocube', transport: 'sse', url: 'ws://x' })).toMatchObject([
      { field: 'url', message: 'must be an http:// or https:// URL for transport "sse"' },
    ]);
    expect(issuesOf({ transport: 'grpc' })).toMatchObject([{ field: 'transport' }]);
  });

  it('checks every auth type for its required fields', () => {
    expect(issuesOf({ auth: { type: 'header', value: 'v' } })).toMatchObject([
      { field: 'auth.name', message: 'required for header auth' },
    ]);
    expect(issuesOf({ auth: { type: 'query', param: 'token' } })).toMatchObject([
      { field: 'auth.value', message: 'required for query auth' },
    ]);
    expect(issuesOf({ auth: { type: 'backendai', secretKey: 's' } })).toMatchObject([
      { field: 'auth.accessKey', message: 'required for backendai auth' },
    ]);
    expect(issuesOf({ auth: { type: 'oauth' } })).toMatchObject([{ field: 'auth.type' }]);
    expect(issuesOf({ auth: {} })).toMatchObject([{ field: 'auth.type' }]);
    expect(issuesOf({ auth: { type: 'none' } })).toEqual([]);
    expect(issuesOf({ auth: { type: 'header', name: 'Bad Name', value: 'v' } })).toMatchObject([
      { field: 'auth.name', message: 'is not a valid HTTP header name' },
    ]);
  });

  it('accepts a secret as a string, {env} or {secret}, and nothing else', () => {
    const withToken = (token: unknown) => issuesOf({ auth: { type: 'bearer', token } });
    expect(withToken('t0k3n')).toEqual([]);
    expect(withToken({ env: 'BOT_TOKEN' })).toEqual([]);
    expect(withToken({ secret: 'hub:bots:token' })).toEqual([]);
    expect(withToken('')).toMatchObject([{ field: 'auth.token', message: 'must be a non-empty string' }]);
    expect(withToken('a\r\nX-Evil: 1')).toMatchObject([{ field: 'auth.token' }]);
    expect(withToken({ env: 'BOT TOKEN' })).toMatchObject([{ field: 'auth.token.env' }]);
    expect(withToken({ env: 'A', secret: 'b' })).toMatchObject([{ field: 'auth.token' }]);
    expect(withToken(42)).toMatchObject([{ field: 'auth.token' }]);
  });

  it('requires headers to be strings without line breaks, under valid names', () => {
    expect(issuesOf({ headers: { 'X-Team': 'ops' } })).toEqual([]);
    expect(issuesOf({ headers: { 'X-Team': 'ops\nX-Admin: 1' } })).toMatchObject([
      { field: 'headers.X-Team' },
    ]);
    expect(issuesOf({ headers: { 'X Team': 'ops' } })).toMatchObject([{ field: 'headers.X Team' }]);
    expect(issuesOf({ headers: { 'X-Count': 3 } })).toMatchObject([{ field: 'headers.X-Count' }]);
    expect(issuesOf({ headers: 'X-Team: ops' })).toMatchObject([{ field: 'headers' }]);
  });

  it('requires rdev to have a project and exactly one of command and streamId', () => {
    const rdev = { dialect: 'rdev', url: 'http://127.0.0.1:8080', project: 'p' };
    expect(issuesOf({ ...rdev, command: 'npm test' })).toEqual([]);
    expect(issuesOf({ ...rdev, streamId: 'cmd-1' })).toEqual([]);
    expect(issuesOf({ ...rdev, command: 'npm test', streamId: 'cmd-1' })).toMatchObject([
      { field: 'streamId' },
    ]);
    expect(issuesOf({ ...rdev, project: undefined, streamId: 's' })).toMatchObject([{ field: 'project' }]);
  });

  it('rejects fields that belong to another dialect', () => {
    expect(issuesOf({ command: 'npm test' })).toMatchObject([
      { field: 'command', message: 'only used by the rdev dialect' },
    ]);
    expect(issuesOf({ pollUrl: 'http://x/api/status' })).toMatchObject([
      { field: 'pollUrl', message: 'only used by the evoclaw dialect' },
    ]);
  });

  it('requires positive numbers, allowing a silence timeout of 0 (off)', () => {
    const evo = { dialect: 'evoclaw', url: 'http://x/api/logs/stream' };
    expect(issuesOf({ ...evo, pollIntervalSec: 0 })).toMatchObject([{ field: 'pollIntervalSec' }]);
    expect(issuesOf({ ...evo, pollIntervalSec: 2.5 })).toEqual([]);
    expect(issuesOf({ silenceTimeoutSec: 0 })).toEqual([]);
    expect(issuesOf({ silenceTimeoutSec: -1 })).toMatchObject([{ field: 'silenceTimeoutSec' }]);
    expect(issuesOf({ retention: 1.5 })).toMatchObject([
      { field: 'retention', message: 'must be a positive integer' },
    ]);
    expect(issuesOf({ retention: '100' })).toMatchObject([{ field: 'retention' }]);
    expect(issuesOf({ enabled: 'yes' })).toMatchObject([{ field: 'enabled' }]);
  });

  it('requires a pollUrl to be an http(s) URL', () => {
    const evo = { dialect: 'evoclaw', url: 'http://x/api/logs/stream' };
    expect(issuesOf({ ...evo, pollUrl: 'ws://x/api/status' })).toMatchObject([{ field: 'pollUrl' }]);
    expect(issuesOf({ ...evo, pollUrl: 'nonsense' })).toMatchObject([{ field: 'pollUrl' }]);
  });

  it('checks the generic field map, including the entity pair', () => {
    const generic = { dialect: 'generic', url: 'http://x' };
    expect(issuesOf({ ...generic, fields: { entity: 'meta.host', entityType: 'server' } })).toEqual([]);
    expect(issuesOf({ ...generic, fields: { entity: 'meta.host' } })).toMatchObject([
      { field: 'fields.entityType' },
    ]);
    expect(issuesOf({ ...generic, fields: { entity: 'h', entityType: 'host' } })).toMatchObject([
      { field: 'fields.entityType' },
    ]);
    expect(issuesOf({ ...generic, fields: { mesage: 'msg' } })).toMatchObject([
      { field: 'fields.mesage', message: 'unknown field (did you mean "message"?)' },
    ]);
    expect(issuesOf({ ...generic, fields: { level: 3 } })).toMatchObject([{ field: 'fields.level' }]);
  });
});
