import { describe, expect, it } from 'vitest';
import {
  SecretResolutionError,
  collectSecretValues,
  processEnvSecrets,
  resolveAuth,
  resolveSecret,
  type SecretProvider,
} from '../../../../src/main/engine/secrets';
import type { HubConfig } from '../../../../src/shared/hub-config';

const provider: SecretProvider = {
  env: (name) => ({ BOT_TOKEN: 'env-token', EMPTY: '' })[name],
  secret: (ref) => ({ 'hub:bai:secret': 'store-secret' })[ref],
};

function hub(auth: HubConfig['auth'], extra: Partial<HubConfig> = {}): HubConfig {
  return { id: 'bots', dialect: 'bot-hub', url: 'http://127.0.0.1:8090/events', auth, ...extra };
}

describe('secret resolution', () => {
  it('resolves a literal, an environment variable and a secure-store reference', () => {
    expect(resolveSecret('literal', provider, 'x')).toBe('literal');
    expect(resolveSecret({ env: 'BOT_TOKEN' }, provider, 'x')).toBe('env-token');
    expect(resolveSecret({ secret: 'hub:bai:secret' }, provider, 'x')).toBe('store-secret');
  });

  it('names the hub and the field when an environment variable is not set', () => {
    const resolve = () => resolveAuth(hub({ type: 'bearer', token: { env: 'MISSING' } }), provider);
    expect(resolve).toThrow(SecretResolutionError);
    expect(resolve).toThrow('hub "bots": auth.token: environment variable MISSING is not set');
  });

  it('treats an empty environment variable as missing', () => {
    expect(() => resolveAuth(hub({ type: 'bearer', token: { env: 'EMPTY' } }), provider)).toThrow(
      'hub "bots": auth.token: environment variable EMPTY is empty',
    );
  });

  it('names the reference when the secure store has no such secret', () => {
    expect(() =>
      resolveAuth(hub({ type: 'header', name: 'X-API-Key', value: { secret: 'gone' } }), provider),
    ).toThrow('hub "bots": auth.value: secret "gone" is not in the secure store');
  });

  it('resolves every auth type, defaulting the Backend.AI API version', () => {
    expect(resolveAuth(hub(undefined), provider)).toEqual({ type: 'none' });
    expect(resolveAuth(hub({ type: 'bearer', token: { env: 'BOT_TOKEN' } }), provider)).toEqual({
      type: 'bearer',
      token: 'env-token',
    });
    expect(resolveAuth(hub({ type: 'query', param: 'token', value: 'q' }), provider)).toEqual({
      type: 'query',
      param: 'token',
      value: 'q',
    });
    expect(
      resolveAuth(
        hub({ type: 'backendai', accessKey: 'AK', secretKey: { secret: 'hub:bai:secret' } }),
        provider,
      ),
    ).toEqual({ type: 'backendai', accessKey: 'AK', secretKey: 'store-secret', apiVersion: 'v4.20190615' });
    expect(
      resolveAuth(
        hub({ type: 'backendai', accessKey: 'AK', secretKey: 's', apiVersion: 'v8.20240315' }),
        provider,
      ),
    ).toMatchObject({ apiVersion: 'v8.20240315' });
  });

  it('reads environment variables for the CLI and has no secure store there', () => {
    const cli = processEnvSecrets({ HUBWATCH_TEST_TOKEN: 'from-env' });
    expect(cli.env('HUBWATCH_TEST_TOKEN')).toBe('from-env');
    expect(cli.secret('anything')).toBeUndefined();
  });

  it('collects every resolvable secret value for redaction, skipping the unresolvable', () => {
    const values = collectSecretValues(
      {
        hubs: [
          hub({ type: 'bearer', token: { env: 'BOT_TOKEN' } }),
          hub({ type: 'backendai', accessKey: 'AK', secretKey: { secret: 'hub:bai:secret' } }, { id: 'bai' }),
          hub({ type: 'bearer', token: { env: 'MISSING' } }, { id: 'other' }),
          hub(undefined, {
            id: 'plain',
            url: 'https://user:p%40ss@example.test/stream',
            headers: { 'X-Api-Key': 'header-key', 'X-Team': 'ops' },
          }),
        ],
      },
      provider,
    );
    expect(values.sort()).toEqual(['env-token', 'header-key', 'p@ss', 'store-secret']);
  });
});
