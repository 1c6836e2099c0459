/**
 * Writing a record's payload as JSON text without re-serialising it when the received
 * text is at hand: `raw` keeps numbers, key order and duplicates exactly as the hub sent
 * them, and copying it is cheaper than `JSON.stringify`.
 */
import type { EngineEvent } from '../event-record';

/** `JSON.stringify` that never returns `undefined` (for values JSON cannot hold). */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/**
 * The payload as one line of JSON: the received text with its line breaks (which in valid
 * JSON can only be insignificant whitespace) turned into spaces, or the data serialised
 * when there is no received JSON text.
 */
export function payloadOnOneLine(event: EngineEvent): string {
  const raw = event.raw;
  if (raw === null) return stringifyJson(event.data);
  if (raw.indexOf('\n') === -1 && raw.indexOf('\r') === -1) return raw;
  return raw.replace(/\r\n|\r|\n/g, ' ');
}

function isJsonWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** Whether the quote at `index` is escaped (preceded by an odd number of backslashes). */
function isEscapedQuote(text: string, index: number): boolean {
  let backslashes = 0;
  while (index - backslashes - 1 >= 0 && text.charCodeAt(index - backslashes - 1) === 92) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * JSON text with the whitespace outside strings removed; the text itself when it has none.
 * Strings are skipped with `indexOf` (native search) rather than char by char: payloads are
 * mostly string content.
 */
export function minifyJsonText(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && isEscapedQuote(text, end)) end = text.indexOf('"', end + 1);
      // An unterminated string is not JSON: leave the text as it is.
      if (end === -1) return text;
      i = end + 1;
    } else if (isJsonWhitespace(code)) {
      out += text.slice(copiedUpTo, i);
      while (i < text.length && isJsonWhitespace(text.charCodeAt(i))) i++;
      copiedUpTo = i;
    } else {
      i++;
    }
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** The payload as compact JSON: the received text minified, or the data serialised. */
export function compactPayload(event: EngineEvent): string {
  return event.raw === null ? stringifyJson(event.data) : minifyJsonText(event.raw);
}
