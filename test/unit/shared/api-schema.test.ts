import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UI_SETTINGS, type CallName } from '../../../src/shared/api';
import {
  isCallName,
  parseRequest,
  REQUEST_SCHEMAS,
  UiSettingsSchema,
  validateRequest,
} from '../../../src/shared/api-schema';

const hub = { id: 'bots', dialect: 'bot-hub', url: 'http://127.0.0.1:8090/events' };

describe('the API request schemas', () => {
  it('has a schema for every call and refuses names that are not calls', () => {
    expect(isCallName('view.rows')).toBe(true);
    for (const name of ['toString', '__proto__', 'constructor', 'no.such.call', 42]) {
      expect(isCallName(name)).toBe(false);
    }
    expect(validateRequest('fs.readFile', null)).toEqual({ message: 'unknown call "fs.readFile"' });
  });

  it('accepts what the UI sends, and empty requests as absent or null', () => {
    const valid: [CallName, unknown][] = [
      ['app.info', null],
      ['app.info', undefined],
      ['hubs.save', { hub: { ...hub, auth: { type: 'bearer', token: { kind: 'stored', set: true } } } }],
      ['hubs.setEnabled', { id: 'bots', enabled: false }],
      ['view.open', { filter: { levels: ['error'], entity: { type: 'bot' } }, tailSize: 200 }],
      ['view.rows', { viewId: 'v1', start: 0, count: 5000 }],
      ['events.names', null],
      ['events.names', { hubs: ['bots'] }],
      ['settings.set', { theme: 'dark' }],
      ['export.start', { format: 'csv', filter: {}, scrub: true }],
    ];
    for (const [name, request] of valid) expect(validateRequest(name, request), name).toBeNull();
  });

  it('names the field by its path, with what is wrong with it', () => {
    expect(validateRequest('view.open', { filter: { levels: ['info', 'warn', 'loud'] } })).toEqual({
      message: 'view.open: filter.levels[2]: must be one of debug, info, warn, error, state',
      field: 'filter.levels[2]',
    });
    expect(validateRequest('view.rows', { viewId: 'v1', start: 0, count: 1e9 })).toEqual({
      message: 'view.rows: count: must be between 0 and 5000',
      field: 'count',
    });
    expect(validateRequest('hubs.setEnabled', { id: 'careless', enabled: 'yes' })).toMatchObject({
      field: 'enabled',
      message: 'hubs.setEnabled: enabled: must be true or false',
    });
    expect(validateRequest('hubs.save', { hub: { ...hub, name: 'n'.repeat(250) } })).toMatchObject({
      field: 'hub.name',
      message: expect.stringMatching(/too long/) as unknown,
    });
    expect(validateRequest('hubs.save', { hub: { ...hub, auth: { type: 'oauth' } } })).toMatchObject({
      field: 'hub.auth.type',
      message: 'hubs.save: hub.auth.type: must be one of none, bearer, header, query, backendai',
    });
    expect(validateRequest('hubs.remove', {})).toMatchObject({
      field: 'id',
      message: 'hubs.remove: id: is required',
    });
    expect(validateRequest('app.info', { please: true })).toEqual({
      message: 'app.info: request: must be empty',
    });
  });

  it('refuses unknown fields, suggesting the one a typo meant', () => {
    expect(validateRequest('hubs.save', { hub: { ...hub, pollURL: 'http://x' } })).toMatchObject({
      field: 'hub.pollURL',
      message: 'hubs.save: hub.pollURL: unknown field (did you mean "pollUrl"?)',
    });
    expect(validateRequest('hubs.save', { hub, secrets: { 'auth.tokn': 'x' } })).toMatchObject({
      field: 'secrets.auth.tokn',
      message: expect.stringContaining('did you mean "auth.token"') as unknown,
    });
  });

  it('refuses lists, numbers that are not finite, and non-objects where an object belongs', () => {
    expect(validateRequest('view.open', { filter: [] })).toMatchObject({ field: 'filter' });
    expect(validateRequest('events.names', [])).toMatchObject({
      message: 'events.names: request: must be an object',
    });
    expect(validateRequest('view.indexOf', { viewId: 'v1', g: Infinity })).toMatchObject({ field: 'g' });
    expect(validateRequest('view.open', { filter: { from: NaN } })).toMatchObject({ field: 'filter.from' });
    expect(validateRequest('settings.set', 'dark')).toMatchObject({
      message: expect.stringMatching(/object/) as unknown,
    });
  });

  it('hands on a copy holding only the known keys, with empty requests as null', () => {
    const request = { filter: { levels: ['error'] }, tailSize: 10 };
    const parsed = parseRequest('view.open', request);
    expect(parsed).toEqual({ ok: true, request });
    expect(parsed.ok && parsed.request).not.toBe(request);
    expect(parseRequest('app.info', undefined)).toEqual({ ok: true, request: null });
  });

  it('keeps and checks a record key valibot would skip: a hub may be called constructor', () => {
    const tabFilters = JSON.parse(
      '{"constructor": {"levels": ["error"]}, "__proto__": {"levels": ["warn"]}}',
    ) as object;
    const parsed = parseRequest('settings.set', { tabFilters });
    expect(parsed.ok).toBe(true);
    const kept = (parsed.ok ? parsed.request : null) as { tabFilters: Record<string, unknown> };
    expect(Object.getOwnPropertyNames(kept.tabFilters).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(kept.tabFilters)).toBe(Object.prototype);
    const bad = JSON.parse('{"constructor": {"levels": ["loud"]}}') as object;
    expect(validateRequest('settings.set', { tabFilters: bad })).toMatchObject({
      field: 'tabFilters.constructor.levels[0]',
    });
  });

  it('holds the default UI settings to the settings schema', () => {
    expect(v.safeParse(UiSettingsSchema, DEFAULT_UI_SETTINGS).success).toBe(true);
    expect(Object.keys(REQUEST_SCHEMAS)).toContain('settings.set');
  });
});
