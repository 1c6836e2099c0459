/**
 * NDJSON export: exactly the HubEvent record per line, its 11 keys in the contract's order
 * (`HUB_EVENT_KEYS`). Built by hand rather than with `JSON.stringify(toHubEvent(e))`: it is
 * the hot path of every export and of `hubwatch capture`, and `data` is copied from the
 * received JSON text instead of being re-serialised.
 */
import type { EngineEvent } from '../event-record';
import { payloadOnOneLine, stringifyJson } from './json-text';
import type { Redactor } from '../redaction';

function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

function nullableString(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/**
 * One record as an NDJSON line, with its trailing `\n`. With `redact`, the content fields
 * are redacted (message, source, the payload's strings); the identity fields never are.
 */
export function ndjsonLine(event: EngineEvent, redact?: Redactor): string {
  const entity = event.entity;
  const source =
    redact === undefined || event.source === null ? event.source : redact.secrets(event.source, event);
  const message = redact === undefined ? event.message : redact.message(event);
  const data =
    redact === undefined ? payloadOnOneLine(event) : redact.payloadJson(payloadOnOneLine(event), event);
  return (
    `{"hub":${JSON.stringify(event.hub)},"seq":${numberJson(event.seq)}` +
    `,"receivedAt":${numberJson(event.receivedAt)},"time":${numberJson(event.time)}` +
    `,"event":${JSON.stringify(event.event)},"id":${nullableString(event.id)}` +
    `,"level":${stringifyJson(event.level)},"source":${nullableString(source)}` +
    `,"entity":${entity === null ? 'null' : `{"type":${JSON.stringify(entity.type)},"id":${JSON.stringify(entity.id)}}`}` +
    `,"message":${nullableString(message)},"data":${data}}\n`
  );
}
