import { describe, expect, it } from 'vitest';
import type { HubConfigView } from '../../../../src/shared/api';
import {
  buildBackendAiUrl,
  describeSecret,
  draftFromHub,
  fieldMessage,
  formFieldOf,
  newHubDraft,
  parseBackendAiUrl,
  saveRequestFor,
  slugify,
  validateDraft,
  withDialect,
  type HubDraft,
} from '../../../../src/renderer/src/lib/hub-form';

function draft(overrides: Partial<HubDraft>): HubDraft {
  return { ...newHubDraft(overrides.dialect ?? 'bot-hub'), ...overrides };
}

describe('the hub form', () => {
  it('sends a new bot hub with its bearer token as a write-only secret, as a creation', () => {
    const request = saveRequestFor(
      draft({ id: 'bots', name: 'Bots', url: 'http://h/events', secret: { mode: 'replace', value: 'tok' } }),
      null,
    );
    expect(request).toEqual({
      hub: {
        id: 'bots',
        name: 'Bots',
        dialect: 'bot-hub',
        url: 'http://h/events',
        auth: { type: 'bearer', token: { kind: 'stored', set: true } },
        enabled: true,
      },
      secrets: { 'auth.token': 'tok' },
      create: true,
    });
  });

  it('sends only the fields of the chosen dialect', () => {
    const rdev = saveRequestFor(
      draft({
        dialect: 'rdev',
        id: 'build',
        url: 'http://h/rdev',
        project: 'demo',
        command: 'npm test',
        streamId: 'stale',
        pollUrl: 'http://ignored',
        authType: 'header',
        authName: 'X-API-Key',
        secret: { mode: 'replace', value: 'k' },
      }),
      null,
    );
    expect(rdev.hub).toMatchObject({
      project: 'demo',
      command: 'npm test',
      auth: { type: 'header', name: 'X-API-Key' },
    });
    expect(rdev.hub).not.toHaveProperty('streamId');
    expect(rdev.hub).not.toHaveProperty('pollUrl');
    expect(rdev.secrets).toEqual({ 'auth.value': 'k' });

    const evo = saveRequestFor(
      draft({
        dialect: 'evoclaw',
        id: 'evo',
        url: 'http://h/s',
        pollUrl: 'http://h/p',
        pollIntervalSec: '15',
        authType: 'none',
      }),
      null,
    );
    expect(evo.hub).toMatchObject({ pollUrl: 'http://h/p', pollIntervalSec: 15, auth: { type: 'none' } });

    const generic = saveRequestFor(
      draft({
        dialect: 'generic',
        id: 'g',
        url: 'wss://h/ws',
        transport: 'websocket',
        authType: 'none',
        fields: {
          time: 'ts',
          level: 'severity',
          message: '',
          source: '',
          event: '',
          entity: '',
          entityType: '',
        },
        headers: [
          { name: 'X-Team', value: 'ops' },
          { name: ' ', value: 'dropped' },
        ],
      }),
      null,
    );
    expect(generic.hub).toMatchObject({
      transport: 'websocket',
      fields: { time: 'ts', level: 'severity' },
      headers: { 'X-Team': 'ops' },
    });
  });

  it('builds and splits Backend.AI session and background-task URLs', () => {
    const sessions = buildBackendAiUrl({
      base: 'http://h:1/backendai/',
      mode: 'session',
      sessionId: '*',
      group: '*',
      owner: '',
      taskId: '',
    });
    expect(sessions).toBe('http://h:1/backendai/events/session?sessionId=*&group=*');
    expect(parseBackendAiUrl(sessions)).toEqual({
      base: 'http://h:1/backendai',
      mode: 'session',
      sessionId: '*',
      group: '*',
      owner: '',
      taskId: '',
    });
    const task = buildBackendAiUrl({
      base: 'http://h:1/backendai',
      mode: 'task',
      sessionId: '',
      group: '',
      owner: '',
      taskId: 'abc',
    });
    expect(task).toBe('http://h:1/backendai/events/background-task?taskId=abc');
    expect(parseBackendAiUrl(task)).toMatchObject({
      mode: 'task',
      taskId: 'abc',
      base: 'http://h:1/backendai',
    });
  });

  it('edits a saved hub without ever holding its secret, and keeps it unless told otherwise', () => {
    const saved: HubConfigView = {
      id: 'bai',
      dialect: 'backendai',
      url: 'http://h/backendai/events/session?sessionId=*&group=*',
      auth: { type: 'backendai', accessKey: 'AKIA1', secretKey: { kind: 'stored', set: true } },
    };
    const editing = draftFromHub(saved);
    expect(editing).toMatchObject({
      baiBase: 'http://h/backendai',
      baiSessionId: '*',
      accessKey: 'AKIA1',
      secret: { mode: 'keep' },
    });
    expect(describeSecret(editing)).toBe('set');
    const kept = saveRequestFor(editing, 'bai');
    expect(kept.secrets).toBeUndefined();
    expect(kept.previousId).toBeUndefined();
    expect(kept.hub.url).toBe(saved.url);

    const cleared = saveRequestFor({ ...editing, secret: { mode: 'clear' } }, 'bai');
    expect(cleared.secrets).toEqual({ 'auth.secretKey': null });
    const renamed = saveRequestFor({ ...editing, id: 'bai-2' }, 'bai');
    expect(renamed.previousId).toBe('bai');
  });

  it('refers a secret to an environment variable instead of a value', () => {
    const request = saveRequestFor(
      draft({ id: 'b', url: 'http://h', secret: { mode: 'env', env: 'BOT_TOKEN' } }),
      null,
    );
    expect(request.hub.auth).toEqual({ type: 'bearer', token: { kind: 'env', env: 'BOT_TOKEN' } });
    expect(request.secrets).toBeUndefined();
    expect(
      describeSecret(
        draftFromHub({
          id: 'b',
          dialect: 'bot-hub',
          url: 'http://h',
          auth: { type: 'bearer', token: { kind: 'env', env: 'T' } },
        }),
      ),
    ).toBe('from env T');
  });

  it('finds mistakes with the engine’s own rules, by field', () => {
    const errors = validateDraft(draft({ id: 'bad id', url: 'ftp://h', secret: { mode: 'keep' } }));
    expect(errors['id']).toMatch(/letters, digits/);
    expect(errors['url']).toMatch(/http/);
    expect(errors['auth.token']).toMatch(/required/);
    expect(
      validateDraft(draft({ dialect: 'rdev', id: 'r', url: 'http://h', authType: 'none', project: '' }))[
        'project'
      ],
    ).toMatch(/required/);
    expect(
      validateDraft(draft({ id: 'ok', url: 'http://h/events', secret: { mode: 'replace', value: 't' } })),
    ).toEqual({});
    expect(
      validateDraft(
        draft({ id: 'ok', url: 'http://h', retention: 'lots', secret: { mode: 'replace', value: 't' } }),
      )['retention'],
    ).toMatch(/integer/);
  });

  it('knows the auth a dialect usually needs, and keeps a chosen one when switching', () => {
    expect(withDialect(newHubDraft('bot-hub'), 'rdev')).toMatchObject({
      authType: 'header',
      authName: 'X-API-Key',
    });
    expect(withDialect(newHubDraft('bot-hub'), 'evoclaw').authType).toBe('none');
    expect(withDialect({ ...newHubDraft('bot-hub'), authType: 'query' }, 'generic').authType).toBe('query');
  });

  it('makes ids from names and places backend errors next to their field', () => {
    expect(slugify('Demo bot fleet (EU)!')).toBe('demo-bot-fleet-eu');
    expect(formFieldOf('hub.url')).toBe('url');
    expect(formFieldOf('secrets.auth.token')).toBe('auth.token');
    expect(formFieldOf('headers.X-Team')).toBe('headers');
    expect(fieldMessage('hub "x" (hubs[0]): url: is not a valid URL', 'url')).toBe('is not a valid URL');
    expect(fieldMessage('a hub with id "x" already exists', 'id')).toBe('a hub with id "x" already exists');
  });
});
