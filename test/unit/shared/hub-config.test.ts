import { describe, expect, it } from 'vitest';
import {
  AUTH_SECRET_KEYS,
  AUTH_TYPES,
  authOf,
  mapAuthSecret,
  SECRET_FIELDS,
  secretFieldOf,
  secretOf,
  type AuthConfig,
  type AuthWith,
} from '../../../src/shared/hub-config';

/** One auth of every type, each with its secret. */
const AUTHS: AuthConfig[] = [
  { type: 'none' },
  { type: 'bearer', token: { env: 'BOT_TOKEN' } },
  { type: 'header', name: 'X-API-Key', value: 'k3y' },
  { type: 'query', param: 'token', value: { secret: 'hub:q:auth.value' } },
  { type: 'backendai', accessKey: 'AKIA', secretKey: 's3cret', apiVersion: 'v8.20240315' },
];

describe('the auth secret table', () => {
  it('names the field that holds the secret of every auth type, and none for none', () => {
    expect(AUTH_TYPES.map((type) => secretFieldOf(type))).toEqual([
      null,
      'auth.token',
      'auth.value',
      'auth.value',
      'auth.secretKey',
    ]);
    expect(SECRET_FIELDS).toEqual(['auth.token', 'auth.value', 'auth.secretKey']);
  });

  it('reads the secret of every auth type, and null without one', () => {
    expect(AUTHS.map((auth) => secretOf(auth))).toEqual([
      null,
      { env: 'BOT_TOKEN' },
      'k3y',
      { secret: 'hub:q:auth.value' },
      's3cret',
    ]);
    expect(secretOf(undefined)).toBeNull();
  });

  it('maps the secret of every auth type, keeping every other field and leaving the input alone', () => {
    const before = structuredClone(AUTHS);
    const seen: string[] = [];
    const mapped = AUTHS.map((auth) =>
      mapAuthSecret(auth, (secret, field) => {
        seen.push(field);
        return { was: secret };
      }),
    );
    expect(seen).toEqual(['auth.token', 'auth.value', 'auth.value', 'auth.secretKey']);
    expect(mapped).toEqual([
      { type: 'none' },
      { type: 'bearer', token: { was: { env: 'BOT_TOKEN' } } },
      { type: 'header', name: 'X-API-Key', value: { was: 'k3y' } },
      { type: 'query', param: 'token', value: { was: { secret: 'hub:q:auth.value' } } },
      { type: 'backendai', accessKey: 'AKIA', secretKey: { was: 's3cret' }, apiVersion: 'v8.20240315' },
    ]);
    expect(AUTHS).toEqual(before);
    expect(mapped[0]).not.toBe(AUTHS[0]);
  });

  it('puts the secret where the table says, whatever the map returns', () => {
    for (const auth of AUTHS) {
      const mapped: AuthWith<number> = mapAuthSecret(auth, () => 42);
      const key = AUTH_SECRET_KEYS[auth.type];
      if (key === null) expect(secretOf(mapped)).toBeNull();
      else expect(mapped).toHaveProperty(key, 42);
    }
  });

  it('builds an auth of each type from its other fields and its secret', () => {
    expect(authOf('none', {}, 'ignored')).toEqual({ type: 'none' });
    expect(authOf('bearer', {}, 't')).toEqual({ type: 'bearer', token: 't' });
    expect(authOf('query', { param: 'key' }, { env: 'KEY' })).toEqual({
      type: 'query',
      param: 'key',
      value: { env: 'KEY' },
    });
    expect(authOf('backendai', { accessKey: 'AK' }, 's')).toEqual({
      type: 'backendai',
      accessKey: 'AK',
      secretKey: 's',
    });
  });
});
