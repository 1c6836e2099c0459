/**
 * Recognising and masking credentials in requests: which headers must not follow a
 * redirect to another origin, and what "Test connection" may show the operator.
 */

/** What a masked credential looks like in a display. */
export const MASK = '••••';

/** Header names that always carry credentials. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * Fragments of header or parameter names that look like credentials. Deliberately broad:
 * masking a harmless value costs nothing, showing a secret does.
 */
const CREDENTIAL_FRAGMENTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'signature',
  'apikey',
  'api_key',
  'api-key',
  'credential',
  'auth',
];

/** Parameter names that are credentials on their own (too short to match as fragments). */
const CREDENTIAL_PARAMS = new Set(['key', 'sig', 'pwd', 'pass', 'jwt', 'code', 'session']);

function looksLikeCredential(lowerName: string): boolean {
  for (const fragment of CREDENTIAL_FRAGMENTS) {
    if (lowerName.includes(fragment)) return true;
  }
  return lowerName.endsWith('-key') || lowerName.endsWith('_key');
}

/**
 * Whether a request header carries credentials: `Authorization`, `Proxy-Authorization`,
 * `Cookie`, one of `extra` (the hub's own auth header), or a credential-looking name
 * (`X-API-Key`, `X-Auth-Token`, …).
 */
export function isCredentialHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  if (CREDENTIAL_HEADERS.has(lower) || looksLikeCredential(lower)) return true;
  return extra.some((candidate) => candidate.toLowerCase() === lower);
}

/** Whether a query parameter carries credentials (`token`, `key`, `signature`, `access_token`, …, or one of `extra`). */
export function isCredentialParam(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  if (CREDENTIAL_PARAMS.has(lower) || looksLikeCredential(lower)) return true;
  return extra.some((candidate) => candidate.toLowerCase() === lower);
}

/**
 * A copy of `headers` with credential values masked. An `Authorization` value keeps its
 * scheme (`Bearer ••••`) because knowing which scheme was sent helps diagnose a 401.
 */
export function redactHeaders(
  headers: Record<string, string>,
  extra: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!isCredentialHeader(name, extra)) {
      out[name] = value;
      continue;
    }
    const scheme = /^([A-Za-z][\w.-]*)\s+\S/.exec(value);
    out[name] = name.toLowerCase().endsWith('authorization') && scheme ? `${scheme[1]} ${MASK}` : MASK;
  }
  return out;
}

/**
 * `url` with credential query values and any userinfo password masked. The rest of the
 * URL is kept byte for byte (no re-encoding), so the operator sees what was requested.
 */
export function redactUrl(url: string, extra: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let auth = '';
  if (parsed.username !== '' || parsed.password !== '') {
    auth = parsed.password === '' ? `${MASK}@` : `${parsed.username}:${MASK}@`;
  }
  let search = '';
  if (parsed.search.length > 1) {
    const pairs = parsed.search.slice(1).split('&');
    search =
      '?' +
      pairs
        .map((pair) => {
          const eq = pair.indexOf('=');
          const rawName = eq === -1 ? pair : pair.slice(0, eq);
          let name = rawName;
          try {
            name = decodeURIComponent(rawName.replaceAll('+', ' '));
          } catch {
            // A malformed escape: judge the raw name.
          }
          return eq !== -1 && isCredentialParam(name, extra) ? `${rawName}=${MASK}` : pair;
        })
        .join('&');
  }
  return `${parsed.protocol}//${auth}${parsed.host}${parsed.pathname}${search}${parsed.hash}`;
}
