import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { demoHubConfig } from '../../../src/demo-hub/demo-config';
import { validateConfig } from '../../../src/shared/config-validation';
import {
  HUB_CONFIG_JSON_SCHEMA_FILE,
  hubConfigJsonSchema,
  hubConfigJsonSchemaText,
} from '../../../src/main/hub-config-json-schema';
import { HubwatchConfigFileSchema } from '../../../src/shared/hub-config-schema';
import { issuePath } from '../../../src/shared/schema-parts';

const ROOT = join(import.meta.dirname, '../../..');

/** The example config of the README's "Hub config" section, as documented. */
function readmeExample(): unknown {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Hub config'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error('the README has no example config');
  return JSON.parse(block);
}

const checkJsonSchema = new Ajv({ allErrors: true }).compile(hubConfigJsonSchema());

/** Where the valibot schema finds problems (`hubs[0].auth.token`); empty when it finds none. */
function schemaPaths(config: unknown): string[] {
  const result = v.safeParse(HubwatchConfigFileSchema, config);
  return result.success ? [] : result.issues.map((issue) => issuePath(issue));
}

/** Where `validateConfig` finds problems, in the same notation. */
function rulePaths(config: unknown): string[] {
  const result = validateConfig(config);
  if (result.ok) return [];
  return result.errors.map((issue) =>
    issue.index === null ? issue.field : `hubs[${issue.index}]${issue.field === '' ? '' : `.${issue.field}`}`,
  );
}

const base = { id: 'h', dialect: 'bot-hub', url: 'http://127.0.0.1:1/events' };
const oneHub = (overrides: Record<string, unknown>) => ({ hubs: [{ ...base, ...overrides }] });

/** Configs every check accepts. */
const VALID: [string, unknown][] = [
  ['the README example', readmeExample()],
  ['the demo config', demoHubConfig('http://127.0.0.1:8000')],
  ['no hubs, with a $schema', { $schema: './hubwatch.schema.json', hubs: [] }],
  ['a 64-character id', oneHub({ id: 'a'.repeat(64) })],
  ['an upper-case scheme', oneHub({ url: 'HTTP://127.0.0.1:1/events' })],
  [
    'a secret from the secure store',
    oneHub({ auth: { type: 'bearer', token: { secret: 'hub:h:auth.token' } } }),
  ],
  [
    'a query secret from the environment',
    oneHub({ auth: { type: 'query', param: 'key', value: { env: 'KEY_1' } } }),
  ],
  ['an empty header value', oneHub({ headers: { 'X-Empty': '' } })],
  ['a silence timeout of 0', oneHub({ silenceTimeoutSec: 0, enabled: false, name: 'Bots' })],
  [
    'a Backend.AI keypair with a version',
    oneHub({
      dialect: 'backendai',
      auth: { type: 'backendai', accessKey: 'AK', secretKey: 's', apiVersion: 'v8' },
    }),
  ],
  [
    'an evoclaw poll interval of 2.5 s',
    oneHub({ dialect: 'evoclaw', pollUrl: 'https://x/api/status', pollIntervalSec: 2.5 }),
  ],
  [
    'a generic field map with an entity',
    oneHub({ dialect: 'generic', fields: { message: 'msg', entity: 'meta.host', entityType: 'server' } }),
  ],
];

/** Configs whose structure is wrong: every check refuses them, at this field. */
const STRUCTURALLY_INVALID: [string, unknown, string][] = [
  ['not an object', [], 'config'],
  ['no hubs', {}, 'hubs'],
  ['hubs that are not a list', { hubs: {} }, 'hubs'],
  ['a hub that is not an object', { hubs: ['x'] }, 'hubs[0]'],
  ['an unknown top-level key', { hubs: [], hub: [] }, 'hub'],
  ['a $schema that is not a string', { $schema: 1, hubs: [] }, '$schema'],
  ['a hub without an id', { hubs: [{ dialect: 'bot-hub', url: 'http://x' }] }, 'hubs[0].id'],
  ['a 65-character id', oneHub({ id: 'a'.repeat(65) }), 'hubs[0].id'],
  ['an id with a slash', oneHub({ id: 'bots/prod' }), 'hubs[0].id'],
  ['an unknown dialect', oneHub({ dialect: 'nope' }), 'hubs[0].dialect'],
  ['an unknown transport', oneHub({ transport: 'grpc' }), 'hubs[0].transport'],
  ['an ftp URL', oneHub({ url: 'ftp://x' }), 'hubs[0].url'],
  ['an unknown hub field', oneHub({ pollURL: 'http://x' }), 'hubs[0].pollURL'],
  ['a blank name', oneHub({ name: '  ' }), 'hubs[0].name'],
  ['an unknown auth type', oneHub({ auth: { type: 'oauth' } }), 'hubs[0].auth.type'],
  ['a bearer auth without its token', oneHub({ auth: { type: 'bearer' } }), 'hubs[0].auth.token'],
  ['an empty token', oneHub({ auth: { type: 'bearer', token: '' } }), 'hubs[0].auth.token'],
  [
    'a token with a line break',
    oneHub({ auth: { type: 'bearer', token: 'a\r\nX: 1' } }),
    'hubs[0].auth.token',
  ],
  [
    'a secret with two forms',
    oneHub({ auth: { type: 'bearer', token: { env: 'A', secret: 'b' } } }),
    'hubs[0].auth.token',
  ],
  ['a header auth without a name', oneHub({ auth: { type: 'header', value: 'v' } }), 'hubs[0].auth.name'],
  [
    'a header name with a space',
    oneHub({ auth: { type: 'header', name: 'Bad Name', value: 'v' } }),
    'hubs[0].auth.name',
  ],
  [
    'a Backend.AI auth without an access key',
    oneHub({ auth: { type: 'backendai', secretKey: 's' } }),
    'hubs[0].auth.accessKey',
  ],
  ['an unknown auth field', oneHub({ auth: { type: 'bearer', token: 't', tokn: 'x' } }), 'hubs[0].auth.tokn'],
  ['headers that are not an object', oneHub({ headers: 'X-Team: ops' }), 'hubs[0].headers'],
  [
    'a header value with a line break',
    oneHub({ headers: { 'X-Team': 'ops\nX-Admin: 1' } }),
    'hubs[0].headers.X-Team',
  ],
  ['a header value that is a number', oneHub({ headers: { 'X-Count': 3 } }), 'hubs[0].headers.X-Count'],
  ['an enabled flag that is a string', oneHub({ enabled: 'yes' }), 'hubs[0].enabled'],
  ['a poll interval of 0', oneHub({ dialect: 'evoclaw', pollIntervalSec: 0 }), 'hubs[0].pollIntervalSec'],
  [
    'a poll URL over WebSocket',
    oneHub({ dialect: 'evoclaw', pollUrl: 'ws://x/api/status' }),
    'hubs[0].pollUrl',
  ],
  ['a negative silence timeout', oneHub({ silenceTimeoutSec: -1 }), 'hubs[0].silenceTimeoutSec'],
  ['a retention of 1.5', oneHub({ retention: 1.5 }), 'hubs[0].retention'],
  ['a retention as text', oneHub({ retention: '100' }), 'hubs[0].retention'],
  [
    'an unknown field map key',
    oneHub({ dialect: 'generic', fields: { mesage: 'msg' } }),
    'hubs[0].fields.mesage',
  ],
  [
    'an unknown entity type',
    oneHub({ dialect: 'generic', fields: { entity: 'h', entityType: 'host' } }),
    'hubs[0].fields.entityType',
  ],
];

/** Configs only `validateConfig` refuses: rules across fields, which the schema does not say. */
const ONLY_THE_RULES_REFUSE: [string, unknown, string][] = [
  ['two hubs with one id', { hubs: [base, base] }, 'hubs[1].id'],
  ['a field of another dialect', oneHub({ command: 'npm test' }), 'hubs[0].command'],
  ['rdev without a project', oneHub({ dialect: 'rdev', command: 'npm test' }), 'hubs[0].project'],
  [
    'rdev with a command and a stream',
    oneHub({ dialect: 'rdev', project: 'p', command: 'c', streamId: 's' }),
    'hubs[0].streamId',
  ],
  ['WebSocket for an SSE-only dialect', oneHub({ url: 'ws://x/events' }), 'hubs[0].url'],
  [
    'an entity without its type',
    oneHub({ dialect: 'generic', fields: { entity: 'meta.host' } }),
    'hubs[0].fields.entityType',
  ],
];

describe('the hub config schema', () => {
  it(`is published as ${HUB_CONFIG_JSON_SCHEMA_FILE}, up to date with its source (npm run schemas)`, () => {
    const committed = readFileSync(join(ROOT, HUB_CONFIG_JSON_SCHEMA_FILE), 'utf8');
    expect(committed, `${HUB_CONFIG_JSON_SCHEMA_FILE} is out of date: run npm run schemas`).toBe(
      hubConfigJsonSchemaText(),
    );
  });

  it('describes every hub field for editors, with the dialects, transports and auth types', () => {
    const schema = hubConfigJsonSchema() as {
      $defs: { hub: { properties: Record<string, { description?: string; enum?: unknown[] }> } };
    };
    const fields = schema.$defs.hub.properties;
    for (const [name, field] of Object.entries(fields)) expect(field.description, name).toBeTruthy();
    expect(fields['dialect']?.enum).toEqual([
      'bot-hub',
      'protocube',
      'evoclaw',
      'rdev',
      'backendai',
      'generic',
    ]);
    expect(fields['transport']?.enum).toEqual(['sse', 'websocket']);
    expect(JSON.stringify(fields['auth'])).toContain('"const":"backendai"');
  });

  it.each(VALID)('accepts %s, as the config rules and the JSON Schema do', (_name, config) => {
    expect(rulePaths(config)).toEqual([]);
    expect(schemaPaths(config)).toEqual([]);
    expect(checkJsonSchema(config), JSON.stringify(checkJsonSchema.errors)).toBe(true);
  });

  it.each(STRUCTURALLY_INVALID)('refuses %s at the field the config rules name', (_name, config, field) => {
    expect(rulePaths(config)).toContain(field);
    const paths = schemaPaths(config);
    expect(paths.length).toBeGreaterThan(0);
    // The root's own problem is reported at the root; a hub's at its field or within it.
    if (field !== 'config')
      expect(paths.some((path) => path === field || path.startsWith(`${field}.`))).toBe(true);
    expect(checkJsonSchema(config)).toBe(false);
  });

  it.each(ONLY_THE_RULES_REFUSE)('leaves %s to the config rules', (_name, config, field) => {
    expect(rulePaths(config)).toContain(field);
    expect(schemaPaths(config)).toEqual([]);
    expect(checkJsonSchema(config)).toBe(true);
  });
});
