/**
 * Resolving secret values (`"value"`, `{env}`, `{secret}`) to what is sent. Runs only in the
 * main process, the CLI and serve mode: resolved values never reach the renderer. Lookups go
 * through an injected provider, so the app can use its secure store and the CLI `process.env`.
 */
import {
  mapAuthSecret,
  secretOf,
  type HubConfig,
  type HubwatchConfig,
  type SecretValue,
} from '../../shared/hub-config';
import { DEFAULT_BACKENDAI_VERSION, type ResolvedAuth } from './transports/auth';

/** Where `{env}` and `{secret}` values come from. */
export interface SecretProvider {
  /** An environment variable, or `undefined` when it is not set. */
  env(name: string): string | undefined;
  /** A value from the app's secure store by reference, or `undefined` when there is none. */
  secret(ref: string): string | undefined;
}

/** A secret that cannot be resolved; the message names the hub and the field. */
export class SecretResolutionError extends Error {
  override name = 'SecretResolutionError';
}

/** The provider the CLI uses: environment variables, and no secure store. */
export function processEnvSecrets(env: NodeJS.ProcessEnv = process.env): SecretProvider {
  return {
    env: (name) => env[name],
    secret: () => undefined,
  };
}

/**
 * The value of a secret. `where` prefixes the error message, e.g. `hub "bots": auth.token`,
 * giving `hub "bots": auth.token: environment variable BOT_TOKEN is not set`. An empty
 * value counts as missing: sending an empty credential only earns a confusing 401.
 */
export function resolveSecret(value: SecretValue, provider: SecretProvider, where: string): string {
  if (typeof value === 'string') {
    if (value.length === 0) throw new SecretResolutionError(`${where}: is empty`);
    return value;
  }
  if ('env' in value) {
    const resolved = provider.env(value.env);
    if (resolved === undefined) {
      throw new SecretResolutionError(`${where}: environment variable ${value.env} is not set`);
    }
    if (resolved.length === 0)
      throw new SecretResolutionError(`${where}: environment variable ${value.env} is empty`);
    return resolved;
  }
  const resolved = provider.secret(value.secret);
  if (resolved === undefined || resolved.length === 0) {
    throw new SecretResolutionError(`${where}: secret "${value.secret}" is not in the secure store`);
  }
  return resolved;
}

/** A hub's auth with every secret resolved; throws `SecretResolutionError` naming the hub and field. */
export function resolveAuth(hub: Pick<HubConfig, 'id' | 'auth'>, provider: SecretProvider): ResolvedAuth {
  const resolved = mapAuthSecret(hub.auth ?? { type: 'none' }, (secret, field) =>
    resolveSecret(secret, provider, `hub ${JSON.stringify(hub.id)}: ${field}`),
  );
  return resolved.type === 'backendai'
    ? { ...resolved, apiVersion: resolved.apiVersion ?? DEFAULT_BACKENDAI_VERSION }
    : resolved;
}

/** Header names whose configured values are credentials even though they are plain config strings. */
const CREDENTIAL_HEADER_NAME = /auth|token|secret|key|password|cookie|session/i;

/**
 * Every secret value the config resolves to — auth secrets, credential-looking plain
 * headers (`X-Api-Key`), and URL passwords — for redacting exports. Secrets that cannot be
 * resolved are skipped (they were never sent, so they cannot leak).
 */
export function collectSecretValues(config: HubwatchConfig, provider: SecretProvider): string[] {
  const values = new Set<string>();
  const tryAdd = (value: SecretValue) => {
    try {
      values.add(resolveSecret(value, provider, 'secret'));
    } catch {
      // Unresolvable: nothing to redact.
    }
  };
  for (const hub of config.hubs) {
    const secret = secretOf(hub.auth);
    if (secret !== null) tryAdd(secret);
    for (const [name, value] of Object.entries(hub.headers ?? {})) {
      if (CREDENTIAL_HEADER_NAME.test(name) && value.length > 0) values.add(value);
    }
    for (const url of [hub.url, hub.pollUrl]) {
      if (url === undefined) continue;
      try {
        const password = new URL(url).password;
        if (password.length > 0) values.add(decodeURIComponent(password));
      } catch {
        // Not a URL (validation reports it); no password to collect.
      }
    }
  }
  return [...values];
}
