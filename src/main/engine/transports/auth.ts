import { createHash, createHmac } from 'node:crypto';
import type { AuthOf, AuthWith } from '../../../shared/hub-config';

/** The Backend.AI API version sent when the config names none. */
export const DEFAULT_BACKENDAI_VERSION = 'v4.20190615';

/**
 * A hub's auth with every secret resolved to its value (main process only; never sent to
 * the UI), and the Backend.AI API version filled in.
 */
export type ResolvedAuth =
  Exclude<AuthWith<string>, { type: 'backendai' }> | (AuthOf<'backendai', string> & { apiVersion: string });

export interface AuthorizeInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Epoch ms for the Date header (Backend.AI). */
  now: number;
}

/**
 * Adds a hub's credentials to one request. Backend.AI requests get a fresh Date and
 * HMAC-SHA256 signature every time (the server rejects a Date more than 15 minutes off).
 */
export function authorize(
  auth: ResolvedAuth,
  input: AuthorizeInput,
): { url: string; headers: Record<string, string> } {
  const headers = { ...input.headers };
  switch (auth.type) {
    case 'none':
      return { url: input.url, headers };
    case 'bearer':
      headers['Authorization'] = `Bearer ${auth.token}`;
      return { url: input.url, headers };
    case 'header':
      headers[auth.name] = auth.value;
      return { url: input.url, headers };
    case 'query': {
      const url = new URL(input.url);
      url.searchParams.set(auth.param, auth.value);
      return { url: url.href, headers };
    }
    case 'backendai': {
      const url = new URL(input.url);
      const date = new Date(input.now).toISOString();
      const signed = signBackendAi({
        method: input.method,
        pathWithQuery: url.pathname + url.search,
        host: url.host,
        date,
        apiVersion: auth.apiVersion,
        accessKey: auth.accessKey,
        secretKey: auth.secretKey,
        body: '',
      });
      return { url: url.href, headers: { ...headers, ...signed } };
    }
  }
}

export interface BackendAiSignInput {
  method: string;
  /** The request path with its query string, exactly as sent. */
  pathWithQuery: string;
  /** `host[:port]` as in the URL. */
  host: string;
  /** The Date header value exactly as sent (ISO 8601, UTC). */
  date: string;
  apiVersion: string;
  accessKey: string;
  secretKey: string;
  body: string;
}

/**
 * Backend.AI keypair signing: key = HMAC(HMAC(secret, YYYYMMDD), host[:port]);
 * signature = hex HMAC-SHA256(key, METHOD \n path?query \n date \n host:… \n
 * content-type:application/json \n x-backendai-version:… \n hex SHA-256(body)).
 */
export function signBackendAi(input: BackendAiSignInput): Record<string, string> {
  const day = input.date.slice(0, 10).replaceAll('-', '');
  const dayKey = createHmac('sha256', input.secretKey).update(day, 'utf8').digest();
  const signingKey = createHmac('sha256', dayKey).update(input.host, 'utf8').digest();
  const bodyHash = createHash('sha256').update(input.body, 'utf8').digest('hex');
  const stringToSign = [
    input.method.toUpperCase(),
    input.pathWithQuery,
    input.date,
    `host:${input.host}`,
    'content-type:application/json',
    `x-backendai-version:${input.apiVersion}`,
    bodyHash,
  ].join('\n');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return {
    Date: input.date,
    'X-BackendAI-Version': input.apiVersion,
    'Content-Type': 'application/json',
    Authorization: `BackendAI signMethod=HMAC-SHA256, credential=${input.accessKey}:${signature}`,
  };
}

/** Header names that carry credentials: dropped on a redirect to another origin, masked in displays. */
export function credentialHeaderNames(auth: ResolvedAuth): string[] {
  switch (auth.type) {
    case 'bearer':
    case 'backendai':
      return ['authorization'];
    case 'header':
      return [auth.name.toLowerCase()];
    default:
      return [];
  }
}

/** Query parameters that carry credentials (auth `query`): masked in displays. */
export function credentialQueryParamNames(auth: ResolvedAuth): string[] {
  return auth.type === 'query' ? [auth.param] : [];
}
