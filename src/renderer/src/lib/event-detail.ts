import type { EventDetail } from '../../../shared/api';
import { exactPayload, stringifyExactJson, type ExactJsonValue } from '../../../shared/exact-json';
import type { HubEvent } from '../../../shared/hub-event';

/** A record as the detail pane shows and copies it: the HubEvent, its payload's numbers as received. */
export type DetailRecord = Omit<HubEvent, 'data'> & { data: ExactJsonValue };

/**
 * The record of an `events.detail` answer, its `data` read from the payload's text so that
 * no number is rounded to a double (the parsed `data` when there is no usable text).
 */
export function detailRecord(detail: EventDetail): DetailRecord {
  // Replacing `data` keeps its place: the keys stay in the contract's order.
  return { ...detail.event, data: exactPayload(detail.dataText, detail.event.data) };
}

/** "Copy as JSON": the record indented, each number in the text the hub sent. */
export function detailJson(record: DetailRecord): string {
  return stringifyExactJson(record, 2);
}
