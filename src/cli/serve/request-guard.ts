/**
 * Reading the parts of an HTTP request `hubwatch serve` acts on — the request target, the
 * Host and Origin headers, the token cookie — before anyone is known to hold the token.
 * Anything on the wire may be hostile, so nothing here throws: a part that cannot be read
 * comes back as `null` (or is left out), and the server answers 400 for it.
 */
import type { IncomingMessage } from 'node:http';

/** Stands in for this server while a request target is parsed; never looked up. */
const TARGET_BASE = 'http://hubwatch-serve.invalid';

/**
 * The URL of an origin-form request target (`/path?query`), or `null` for anything else:
 * absolute-form (`http://host/…`, which would carry its own host past the Host check),
 * authority-form, asterisk-form, or a target the URL parser refuses. `//x` is a path here,
 * not a host: it is parsed against a fixed authority, never as a relative reference.
 */
export function parseRequestTarget(target: string | undefined): URL | null {
  if (target === undefined || !target.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(`${TARGET_BASE}${target}`);
  } catch {
    return null;
  }
  return url.origin === TARGET_BASE ? url : null;
}

/**
 * The one value of a header that must appear at most once (Host, Origin): `undefined` when
 * it is absent, `null` when it is sent more than once (Node keeps only the first Host, and
 * joins other repeats with commas — neither may stand for what the client meant).
 */
export function singleHeader(req: IncomingMessage, name: string): string | undefined | null {
  const wanted = name.toLowerCase();
  let value: string | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== wanted) continue;
    if (value !== undefined) return null;
    value = req.rawHeaders[i + 1] ?? '';
  }
  return value;
}

/**
 * Every value of the cookie `name` in a Cookie header, percent-decoded; values that are not
 * valid percent-encoding are left out. There can be several: cookies are not kept apart by
 * port, so another program on this host may have set one of the same name.
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0 || part.slice(0, equals).trim() !== name) continue;
    try {
      values.push(decodeURIComponent(part.slice(equals + 1).trim()));
    } catch {
      // Not ours to read: ours is always valid percent-encoding.
    }
  }
  return values;
}

/** `decodeURIComponent`, or `null` when `text` is not valid percent-encoding. */
export function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * A Content-Disposition value that downloads as `name` (RFC 6266): an ASCII `filename`
 * with quotes, control and non-ASCII characters replaced, and the exact name as
 * `filename*` — so no name can break the header or be refused by Node's header check.
 * `name` is well-formed UTF-16 (as `decodeComponent` returns it).
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/gu, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
