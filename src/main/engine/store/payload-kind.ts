/**
 * How the store keeps a record's payload: one string and a code saying what the string is.
 * The store's `payloadKind` column holds these codes; export batches carry the same codes
 * (export/packed-batch.ts), so a packed record reads its payload back as the store would.
 */
import type { JsonValue } from '../../../shared/hub-event';
import { parseJsonText } from '../event-record';

/** There is no payload (`data` is null). */
export const PAYLOAD_NULL = 0;
/** The payload string is the JSON text (`raw`). */
export const PAYLOAD_JSON = 1;
/** The payload string is `data` itself (a non-JSON frame kept as text). */
export const PAYLOAD_TEXT = 2;

/** The `data` a payload string of a kind stands for (JSON is parsed; a malformed text stays text). */
export function payloadData(kind: number, payload: string | null): JsonValue {
  if (kind === PAYLOAD_JSON) return parseJsonText(payload ?? 'null');
  return kind === PAYLOAD_TEXT ? payload : null;
}
