/**
 * Keeping credentials out of what Hubwatch writes and shows — exports, `hubwatch capture`,
 * the UI, notifications — without ever rewriting identity. The rules (README, "Credentials
 * and redaction"):
 *
 * - (a) Identity is never altered: hub ids and names, event names, event ids, entity ids,
 *   config values the operator typed. A hub `ops-fleet` whose token is `fleet` stays
 *   `ops-fleet` everywhere.
 * - (b) Exact known secret values are replaced by `REDACTED` in event content (the message,
 *   the source, payload strings) and in diagnostics (text Hubwatch builds: connection
 *   states, probe reports, notices, error messages).
 * - (c) The pattern heuristics (`?token=`-style parameters, `Bearer …`, Backend.AI
 *   signatures) apply to diagnostics and to the derived `message`, not to the payload,
 *   which stays as received except for exact secret values — unless `scrub` is on (the
 *   export option and `hubwatch capture --scrub`), which applies them to the payload too.
 *
 * So redaction works per field, never over a formatted line. The export hot path calls it
 * for a few fields of every record, so each rule is guarded by a cheap check and text that
 * cannot contain a credential is returned untouched.
 */
import { MIN_REDACTED_SECRET_LENGTH } from '../../shared/secret-length';

/** What a redactor is built from; a format worker builds the same redactor from it. */
export interface RedactionSetup {
  /** Known secret values (see `collectSecretValues`). */
  readonly secretValues: readonly string[];
  /** Apply the pattern heuristics to payloads too, not only to messages and diagnostics. */
  readonly scrub: boolean;
}

/**
 * The identity of an event — its hub id, event name and entity id. Where its content names
 * them (`srv-fleet crashed`, `"server_id":"srv-fleet"`), they are kept as they are.
 */
export interface EventIdentity {
  hub: string;
  event: string;
  entity: { id: string } | null;
}

/** Strings a redaction leaves alone where they occur (null and empty ones are ignored). */
export type KeptStrings = readonly (string | null | undefined)[];

/** Removes credentials field by field (see the rules above). */
export interface Redactor extends RedactionSetup {
  /**
   * Diagnostics — text Hubwatch builds itself: known secrets and the pattern heuristics.
   * Occurrences of the `keep` strings (the hub ids and names the text may name) are left
   * alone, unless a secret match reaches beyond one of them.
   */
  text(text: string, keep?: KeptStrings): string;
  /** An event's derived message: known secrets and the pattern heuristics, its own identity kept. */
  message(event: EventIdentity & { message: string | null }): string | null;
  /** Known secrets only, never the heuristics (the `source` field); `of`'s identity kept. */
  secrets(text: string, of?: EventIdentity): string;
  /** One string of a parsed payload: known secrets, and with `scrub` the heuristics; `of`'s identity kept. */
  payloadString(text: string, of?: EventIdentity): string;
  /**
   * A payload as JSON text (as received, or serialised): known secrets inside its string
   * literals (in their JSON-escaped forms too), and with `scrub` the heuristics; `of`'s
   * identity kept.
   */
  payloadJson(text: string, of?: EventIdentity): string;
  /** A parsed payload with every string and key passed through `payloadString`. */
  payloadValue<T>(value: T, of?: EventIdentity): T;
}

/** What a removed credential is replaced with. */
export const REDACTED = 'REDACTED';

/**
 * Shorter known values are not redacted by value: replacing every occurrence of a
 * 1–3 character string would shred the export, and such a value is no secret anyway.
 * (URL, Bearer and signature rules still apply to them.) The hub editor warns about
 * secrets shorter than `SHORT_SECRET_LENGTH`, which may still match text by chance.
 */
export const MIN_SECRET_LENGTH = MIN_REDACTED_SECRET_LENGTH;

/** Parameter names that are credentials with any prefix (`access_token`, `X-Amz-Signature`). */
const CREDENTIAL_NAME_ENDINGS = [
  'token',
  'apikey',
  'api_key',
  'secret',
  'signature',
  'password',
  'passwd',
  'credential',
  'credentials',
  'jwt',
];

/** Short names: credentials alone or after a separator (`key`, `api-key`), not inside words (`monkey`). */
const SHORT_CREDENTIAL_NAMES = ['key', 'sig', 'auth', 'pwd'];

function isCredentialParamName(name: string): boolean {
  const lower = name.toLowerCase();
  for (const ending of CREDENTIAL_NAME_ENDINGS) if (lower.endsWith(ending)) return true;
  for (const short of SHORT_CREDENTIAL_NAMES) {
    if (!lower.endsWith(short)) continue;
    if (lower.length === short.length) return true;
    const before = lower.charCodeAt(lower.length - short.length - 1);
    if (before === 95 /* _ */ || before === 45 /* - */ || before === 46 /* . */) return true;
  }
  return false;
}

/** Characters of a parameter name: letters, digits, `_ . ~ -`. */
function isNameChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 46 ||
    code === 126 ||
    code === 45
  );
}

/**
 * Where a credential value ends: `&`, `#`, whitespace, a quote, `<`, `>` or a backslash (a
 * JSON escape); for Backend.AI's `credential=` also `,` and `;` (header parameters).
 */
function isValueEnd(code: number, headerStyle: boolean): boolean {
  return (
    code === 38 /* & */ ||
    code === 35 /* # */ ||
    code <= 32 ||
    code === 34 /* " */ ||
    code === 39 /* ' */ ||
    code === 60 /* < */ ||
    code === 62 /* > */ ||
    code === 92 /* \ */ ||
    (headerStyle && (code === 44 /* , */ || code === 59)) /* ; */
  );
}

/**
 * Replaces the values of credential parameters: `name=value` where the name follows `?`,
 * `&` or `;` (a URL query) and looks like a credential, and Backend.AI's
 * `credential=<access key>:<signature>` anywhere. Scans from `=` to `=` rather than with a
 * regular expression: most lines have few or none, and this runs on every exported line.
 */
function redactCredentialParams(text: string): string {
  let equals = text.indexOf('=');
  if (equals === -1) return text;
  let out = '';
  let copiedUpTo = 0;
  while (equals !== -1) {
    let nameStart = equals;
    while (nameStart > 0 && isNameChar(text.charCodeAt(nameStart - 1))) nameStart--;
    let valueEnd = -1;
    if (nameStart < equals) {
      const separator = nameStart > 0 ? text.charCodeAt(nameStart - 1) : -1;
      const inQuery = separator === 63 /* ? */ || separator === 38 /* & */ || separator === 59; /* ; */
      // Names are sliced only when they could be a credential: most `=` in a line are neither.
      const signed =
        !inQuery &&
        equals - nameStart >= 10 &&
        text.slice(equals - 10, equals).toLowerCase() === 'credential';
      if (signed || (inQuery && isCredentialParamName(text.slice(nameStart, equals)))) {
        valueEnd = equals + 1;
        while (valueEnd < text.length && !isValueEnd(text.charCodeAt(valueEnd), signed)) valueEnd++;
        if (valueEnd === equals + 1) valueEnd = -1;
      }
    }
    if (valueEnd === -1) {
      equals = text.indexOf('=', equals + 1);
      continue;
    }
    out += text.slice(copiedUpTo, equals + 1) + REDACTED;
    copiedUpTo = valueEnd;
    equals = text.indexOf('=', valueEnd);
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** The word alone: a cheap test before the replacing pattern runs. */
const BEARER_WORD = /bearer/i;

/** `Bearer <token>` in any case. */
// Not an auth-param (`Bearer realm="hub"` in a WWW-Authenticate challenge): that is no token.
const BEARER_TOKEN = /\b(bearer\s+)(?![\w-]+=")[\w\-.~+/]+=*/gi;

/** The forms a secret takes once written: as is, JSON-escaped, URL-encoded. */
function writtenForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  // Fields are redacted before CSV quotes them, so no CSV-quoted form is needed.
  return [secret, json, url, url.replaceAll('%20', '+')];
}

/** The pattern heuristics: credential parameters, Backend.AI signatures, `Bearer <token>`. */
function redactPatterns(text: string): string {
  const out = redactCredentialParams(text);
  // A literal regex test is a fast skip search; String#includes is several times slower here.
  return BEARER_WORD.test(out) ? out.replace(BEARER_TOKEN, `$1${REDACTED}`) : out;
}

/** Where the `keep` strings occur in `text`, as [start, end) pairs. */
function spansOf(text: string, keep: KeptStrings): number[] {
  const spans: number[] = [];
  for (const word of keep) {
    if (!word) continue;
    for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1))
      spans.push(at, at + word.length);
  }
  return spans;
}

function inSpan(spans: readonly number[], start: number, end: number): boolean {
  for (let i = 0; i < spans.length; i += 2) if (spans[i]! <= start && end <= spans[i + 1]!) return true;
  return false;
}

/** Whether the quote at `index` is escaped (preceded by an odd number of backslashes). */
function isEscapedQuote(text: string, index: number): boolean {
  let backslashes = 0;
  while (index - backslashes - 1 >= 0 && text.charCodeAt(index - backslashes - 1) === 92) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * A redactor for `setup`: known secret values (at least `MIN_SECRET_LENGTH` long) in their
 * raw, JSON-escaped and URL-encoded forms; the heuristics replace credential query
 * parameters (`?token=`, `&access_token=`, `api_key`, `key`, `secret`, `signature`, `sig`,
 * `password`, `auth`, `credential`… case-insensitive), Backend.AI `credential=AK…:<signature>`
 * and `Bearer <token>`.
 */
export function createRedactor(secretValues: readonly string[], options: { scrub?: boolean } = {}): Redactor {
  const scrub = options.scrub === true;
  const forms = new Set<string>();
  for (const secret of secretValues) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of writtenForms(secret)) forms.add(form);
  }
  // One alternation, longest first so a secret that contains another is replaced whole: a
  // single scan per field instead of one per secret.
  const alternation = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((form) => form.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('|');
  const anySecret = forms.size === 0 ? null : new RegExp(alternation);
  const everySecret = new RegExp(alternation, 'g');

  /** Known secrets replaced, except inside the `keep` strings or the identity of `of`. */
  const replaceSecrets = (text: string, keep: KeptStrings | null, of: EventIdentity | null): string => {
    if (anySecret === null || !anySecret.test(text)) return text;
    // Built only here: most text holds no secret, and the hot path allocates nothing for it.
    const words = keep ?? (of === null ? null : [of.hub, of.event, of.entity?.id]);
    const spans = words === null ? [] : spansOf(text, words);
    if (spans.length === 0) return text.replace(everySecret, REDACTED);
    // A secret inside an identity (token `fleet` in hub `ops-fleet`) is the identity.
    return text.replace(everySecret, (match: string, offset: number) =>
      inSpan(spans, offset, offset + match.length) ? match : REDACTED,
    );
  };

  /** Secrets replaced only inside the string literals of JSON text: never in a number or across tokens. */
  const replaceSecretsInJson = (text: string, of: EventIdentity | null): string => {
    if (anySecret === null || !anySecret.test(text)) return text;
    let out = '';
    let copiedUpTo = 0;
    let quote = text.indexOf('"');
    while (quote !== -1) {
      let end = text.indexOf('"', quote + 1);
      while (end !== -1 && isEscapedQuote(text, end)) end = text.indexOf('"', end + 1);
      // Unterminated: not JSON text after all; the rest is one string's content.
      const close = end === -1 ? text.length : end;
      const inner = text.slice(quote + 1, close);
      const replaced = replaceSecrets(inner, null, of);
      if (replaced !== inner) {
        out += text.slice(copiedUpTo, quote + 1) + replaced;
        copiedUpTo = close;
      }
      quote = end === -1 ? -1 : text.indexOf('"', end + 1);
    }
    return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
  };

  const payloadString = scrub
    ? (text: string, of?: EventIdentity) => redactPatterns(replaceSecrets(text, null, of ?? null))
    : (text: string, of?: EventIdentity) => replaceSecrets(text, null, of ?? null);

  return {
    secretValues: [...secretValues],
    scrub,
    text: (text, keep) => redactPatterns(replaceSecrets(text, keep ?? null, null)),
    message: (event) =>
      event.message === null ? null : redactPatterns(replaceSecrets(event.message, null, event)),
    secrets: (text, of) => replaceSecrets(text, null, of ?? null),
    payloadString,
    payloadJson: scrub
      ? (text, of) => redactPatterns(replaceSecretsInJson(text, of ?? null))
      : (text, of) => replaceSecretsInJson(text, of ?? null),
    payloadValue: (value, of) =>
      anySecret === null && !scrub ? value : redactStrings(value, (text) => payloadString(text, of)),
  };
}

/**
 * A copy of a JSON-like value with every string passed through `redact` (object keys
 * included). Parts without a change are shared, not copied.
 */
export function redactStrings<T>(value: T, redact: (text: string) => string): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redact(node);
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      let changed: unknown[] | null = null;
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        const next = walk(item);
        if (next !== item) {
          changed ??= node.slice();
          changed[i] = next;
        }
      }
      return changed ?? node;
    }
    let changed: Record<string, unknown> | null = null;
    for (const key of Object.keys(node)) {
      const item = (node as Record<string, unknown>)[key];
      const next = walk(item);
      const nextKey = redact(key);
      if (next !== item || nextKey !== key) {
        changed ??= { ...(node as Record<string, unknown>) };
        if (nextKey !== key) delete changed[key];
        changed[nextKey] = next;
      }
    }
    return changed ?? node;
  };
  return walk(value) as T;
}
