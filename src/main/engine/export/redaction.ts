/**
 * Keeping credentials out of exported files and CLI output. Runs on every written line, so
 * each rule is guarded by a cheap substring check and lines that cannot contain a
 * credential are returned untouched.
 */

/** Turns a line into one without credentials. */
export interface Redactor {
  (text: string): string;
  /** The known secret values it removes (a format worker builds the same redactor from them). */
  readonly secretValues: readonly string[];
}

/** What a removed credential is replaced with. */
export const REDACTED = 'REDACTED';

/**
 * Shorter known values are not redacted by value: replacing every occurrence of a
 * 1–3 character string would shred the export, and such a value is no secret anyway.
 * (URL, Bearer and signature rules still apply to them.)
 */
export const MIN_SECRET_LENGTH = 4;

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

/** The forms a secret takes once written: as is, JSON-escaped, URL-encoded, CSV-quoted. */
function writtenForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  const forms = [secret, json, url, url.replaceAll('%20', '+')];
  return [...forms, ...forms.map((form) => form.replaceAll('"', '""'))];
}

/**
 * A redactor for export lines. It replaces with `REDACTED`: credential query parameters
 * (`?token=`, `&access_token=`, `api_key`, `key`, `secret`, `signature`, `sig`, `password`,
 * `auth`, `credential`… case-insensitive), Backend.AI `credential=AK…:<signature>`,
 * `Bearer <token>`, and every known secret value (at least `MIN_SECRET_LENGTH` long)
 * wherever it appears, in its raw, JSON-escaped, URL-encoded and CSV-quoted forms.
 */
export function createRedactor(secretValues: readonly string[]): Redactor {
  const forms = new Set<string>();
  for (const secret of secretValues) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of writtenForms(secret)) forms.add(form);
  }
  // One alternation, longest first so a secret that contains another is replaced whole: a
  // single scan per line instead of one per secret.
  const alternation = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((form) => form.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('|');
  const anySecret = forms.size === 0 ? null : new RegExp(alternation);
  const everySecret = new RegExp(alternation, 'g');

  const redact = (text: string): string => {
    let out = text;
    if (anySecret !== null && anySecret.test(out)) out = out.replace(everySecret, REDACTED);
    out = redactCredentialParams(out);
    // A literal regex test is a fast skip search; String#includes is several times slower here.
    if (BEARER_WORD.test(out)) out = out.replace(BEARER_TOKEN, `$1${REDACTED}`);
    return out;
  };
  return Object.assign(redact, { secretValues: [...secretValues] });
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
