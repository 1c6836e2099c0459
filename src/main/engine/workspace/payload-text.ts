import { parseExactJson, stringifyExactJson } from '../../../shared/exact-json';
import { redactStrings } from '../redaction';

/**
 * The JSON text of a payload for the UI's detail pane: every number as received (the UI
 * reads it with `parseExactJson`), every string and key through `redact` exactly like the
 * parsed `data` beside it. Redacting the text itself would not do: JSON may spell a secret
 * with escapes (`\/`, `\u0041`) that no text search finds. The received text goes as it is
 * when redaction changes nothing; `null` when it is not JSON.
 */
export function exactPayloadText(raw: string, redact: (text: string) => string): string | null {
  let tree;
  try {
    tree = parseExactJson(raw);
  } catch {
    return null;
  }
  const redacted = redactStrings(tree, redact);
  return redacted === tree ? raw : stringifyExactJson(redacted);
}
