/**
 * Backend.AI keypair authentication, checked the way the manager checks it (see
 * seeds/README.md). This is the server side and deliberately shares no code with the
 * engine's signer: a bug in one must not hide in the other.
 *
 *   Authorization: BackendAI signMethod=HMAC-SHA256, credential=<access key>:<hex signature>
 *   signing key    = HMAC-SHA256(HMAC-SHA256(secret key, YYYYMMDD of Date), Host)
 *   string to sign = METHOD \n path?query (as in the request line) \n Date (as sent) \n
 *                    host:<Host> \n content-type:application/json \n
 *                    x-backendai-version:<version> \n hex SHA-256 of the (empty) body
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** How far the request's Date may be from the server's clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION =
  /^BackendAI\s+signMethod=HMAC-(?<hash>[A-Za-z0-9]+)\s*,\s*credential=(?<key>[^:\s]+):(?<signature>\S+)$/;

/**
 * An ISO 8601 date-time, in extended (`2026-05-01T12:00:00.000Z`) or basic
 * (`20260501T120000Z`) form; without an offset it is UTC, as the manager treats it.
 */
const ISO_8601 =
  /^(?<y>\d{4})-?(?<mo>\d{2})-?(?<d>\d{2})(?:[T ](?<h>\d{2}):?(?<mi>\d{2})(?::?(?<s>\d{2})(?:[.,](?<frac>\d+))?)?)?(?<tz>Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A Date header parsed: its instant, and the calendar day as written (the signing key's date). */
export interface ParsedDate {
  epochMs: number;
  yyyymmdd: string;
}

/** Parses an ISO 8601 Date header value; undefined when it is not one. */
export function parseIsoDate(value: string): ParsedDate | undefined {
  const m = ISO_8601.exec(value.trim());
  const g = m?.groups;
  if (!g) return undefined;
  const num = (text: string | undefined): number => (text === undefined ? 0 : Number(text));
  const [y, mo, d] = [num(g.y), num(g.mo), num(g.d)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const fracMs = g.frac === undefined ? 0 : Math.floor(Number(`0.${g.frac}`) * 1000);
  let offsetMs = 0;
  if (g.tz !== undefined && g.tz.toUpperCase() !== 'Z') {
    const sign = g.tz.startsWith('-') ? -1 : 1;
    const digits = g.tz.slice(1).replace(':', '');
    offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + num(digits.slice(2, 4) || undefined)) * 60_000;
  }
  const local = Date.UTC(y, mo - 1, d, num(g.h), num(g.mi), num(g.s)) + fracMs;
  return { epochMs: local - offsetMs, yyyymmdd: `${g.y}${g.mo}${g.d}` };
}

export type AuthResult = { ok: true; accessKey: string } | { ok: false; title: string; detail: string };

/** The keypairs the server knows: access key → secret key. */
export type Keypairs = ReadonlyMap<string, string>;

const fail = (title: string, detail: string): AuthResult => ({ ok: false, title, detail });

/** The header's value, or undefined when absent (the first one when repeated). */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Checks one request's keypair signature against `keypairs` at time `now`. */
export function verifyBackendAiRequest(
  req: IncomingMessage,
  keypairs: Keypairs,
  now = Date.now(),
): AuthResult {
  const authorization = header(req, 'authorization');
  if (authorization === undefined) return fail('Unauthorized access', 'missing Authorization header');
  const parts = AUTHORIZATION.exec(authorization.trim())?.groups;
  if (!parts?.key || !parts.signature || !parts.hash) {
    return fail(
      'Unauthorized access',
      'malformed Authorization header: expected "BackendAI signMethod=HMAC-SHA256, credential=<access key>:<signature>"',
    );
  }
  if (parts.hash.toUpperCase() !== 'SHA256') {
    return fail('Unauthorized access', `unsupported signMethod HMAC-${parts.hash}: use HMAC-SHA256`);
  }
  const version = header(req, 'x-backendai-version');
  if (version === undefined || version.trim() === '') {
    return fail('Unauthorized access', 'missing X-BackendAI-Version header');
  }
  // The manager prefers X-BackendAI-Date, for clients that cannot set Date.
  const rawDate = header(req, 'x-backendai-date') ?? header(req, 'date');
  if (rawDate === undefined) return fail('Unauthorized access', 'missing Date header');
  const date = parseIsoDate(rawDate);
  if (!date) return fail('Unauthorized access', `Date is not ISO 8601: '${rawDate}'`);
  if (Math.abs(now - date.epochMs) > MAX_CLOCK_SKEW_MS) {
    return fail('Unauthorized access', 'Date is more than 15 minutes off the server clock');
  }
  const secret = keypairs.get(parts.key);
  if (secret === undefined) return fail('Unauthorized access', `unknown access key '${parts.key}'`);
  const host = header(req, 'host') ?? '';
  const expected = expectedSignature({
    method: req.method ?? 'GET',
    pathWithQuery: req.url ?? '/',
    rawDate,
    host,
    version,
    yyyymmdd: date.yyyymmdd,
    secret,
  });
  const given = Buffer.from(parts.signature.toLowerCase(), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return fail('Credential/signature mismatch.', 'the signature does not match the request');
  }
  return { ok: true, accessKey: parts.key };
}

function expectedSignature(input: {
  method: string;
  pathWithQuery: string;
  rawDate: string;
  host: string;
  version: string;
  yyyymmdd: string;
  secret: string;
}): string {
  const hmac = (key: string | Buffer, text: string): Buffer =>
    createHmac('sha256', key).update(text).digest();
  const signingKey = hmac(hmac(input.secret, input.yyyymmdd), input.host);
  const emptyBodyHash = createHash('sha256').update('').digest('hex');
  const stringToSign = [
    input.method.toUpperCase(),
    input.pathWithQuery,
    input.rawDate,
    `host:${input.host}`,
    'content-type:application/json',
    `x-backendai-version:${input.version}`,
    emptyBodyHash,
  ].join('\n');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}
