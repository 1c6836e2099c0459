/**
 * Plain-text export: one line per record — ISO time (UTC), hub, level, source, message —
 * for reading and grepping. Line breaks inside a field are written as `\n` / `\r` so a
 * record never spans lines.
 */
import type { EngineEvent } from '../event-record';
import type { Redactor } from '../redaction';

/** Earliest and latest instants a Date can hold. */
const MAX_DATE_MS = 8.64e15;

function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : String(ms);
}

/** A field on one line: CR and LF escaped. */
export function oneLineField(text: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return text;
  return text.replaceAll('\r', '\\r').replaceAll('\n', '\\n');
}

/**
 * One record as a text line, with its `\n`: `2026-05-08T00:52:11.241Z bots info auth_client POST …`.
 * With `redact`, the source and message are redacted; the hub, and the event name that
 * stands in for a missing message, never are.
 */
export function textLine(event: EngineEvent, redact?: Redactor): string {
  const source =
    event.source === null ? '-' : oneLineField(redact ? redact.secrets(event.source, event) : event.source);
  const message =
    event.message === null ? event.event : oneLineField(redact ? redact.message(event)! : event.message);
  return `${isoTime(event.time)} ${event.hub} ${event.level} ${source} ${message}\n`;
}
