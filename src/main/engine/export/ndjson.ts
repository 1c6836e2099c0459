/**
 * NDJSON export: exactly the HubEvent record per line, its 11 keys in the contract's order
 * (`HUB_EVENT_KEYS`). Built by hand rather than with `JSON.stringify(toHubEvent(e))`: it is
 * the hot path of every export and of `hubwatch capture`, and `data` is copied from the
 * received JSON text instead of being re-serialised.
 */
import type { EngineEvent } from '../event-record';
import { payloadOnOneLine, stringifyJson } from './json-text';

function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

function nullableString(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** One record as an NDJSON line, with its trailing `\n`. */
export function ndjsonLine(event: EngineEvent): string {
  const entity = event.entity;
  return (
    `{"hub":${JSON.stringify(event.hub)},"seq":${numberJson(event.seq)}` +
    `,"receivedAt":${numberJson(event.receivedAt)},"time":${numberJson(event.time)}` +
    `,"event":${JSON.stringify(event.event)},"id":${nullableString(event.id)}` +
    `,"level":${stringifyJson(event.level)},"source":${nullableString(event.source)}` +
    `,"entity":${entity === null ? 'null' : `{"type":${JSON.stringify(entity.type)},"id":${JSON.stringify(entity.id)}}`}` +
    `,"message":${nullableString(event.message)},"data":${payloadOnOneLine(event)}}\n`
  );
}
