/**
 * What of each payload bound for the UI is redacted, field by field (the rules are in
 * redaction.ts). Identity — hub ids and names, event names and ids, entity ids and
 * keys, the hub configs the operator typed — is passed on untouched: the UI edits, removes
 * and keys its lists by it, so a rewritten id would break them. Content is redacted: an
 * event's message (secrets and patterns), source (secrets) and payload (secrets); the text
 * of entity views like a message, a bot's snapshot like a payload; connection-state
 * details like any diagnostic. Each function returns its input itself when nothing changed.
 */
import type { ConnectionState } from '../../../shared/connection-state';
import type { EntityState } from '../../../shared/entities';
import type { EventRow, ListRow } from '../../../shared/event-row';
import type { HubEvent } from '../../../shared/hub-event';
import type { Redactor } from '../redaction';

/** A list row with its message and source redacted. */
export function redactRow(row: ListRow, redact: Redactor): ListRow {
  if (row.kind !== 'event') return row;
  const message = redact.message(row);
  const source = row.source === null ? null : redact.secrets(row.source, row);
  return message === row.message && source === row.source
    ? row
    : ({ ...row, message, source } satisfies EventRow);
}

/** List rows with their messages and sources redacted. */
export function redactRows(rows: ListRow[], redact: Redactor): ListRow[] {
  let out: ListRow[] | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const redacted = redactRow(row, redact);
    if (redacted !== row) {
      out ??= rows.slice();
      out[i] = redacted;
    }
  }
  return out ?? rows;
}

/** A full record (the detail pane): message, source and payload redacted; the rest as it is. */
export function redactHubEvent(event: HubEvent, redact: Redactor): HubEvent {
  const message = redact.message(event);
  const source = event.source === null ? null : redact.secrets(event.source, event);
  const data = redact.payloadValue(event.data, event);
  if (message === event.message && source === event.source && data === event.data) return event;
  return { ...event, source, message, data };
}

/** A connection state with its reason or detail redacted as a diagnostic, keeping the hub's `identity`. */
export function redactConnectionState(
  state: ConnectionState,
  redact: Redactor,
  identity: readonly string[],
): ConnectionState {
  switch (state.state) {
    case 'reconnecting':
    case 'polling': {
      const reason = redact.text(state.reason, identity);
      return reason === state.reason ? state : { ...state, reason };
    }
    case 'ended':
    case 'failed': {
      const detail = redact.text(state.detail, identity);
      return detail === state.detail ? state : { ...state, detail };
    }
    case 'open': {
      if (state.via === undefined) return state;
      const via = redact.text(state.via, identity);
      return via === state.via ? state : { ...state, via };
    }
    case 'idle':
    case 'connecting':
      return state;
  }
}

/**
 * An entity's state (a copy, never the engine's own object): the text it shows — statuses,
 * reasons, task messages, console lines — redacted like a message, leaving its own hub and
 * id alone; a bot's snapshot like a payload. Keys, hub, type and id, and a command line
 * Hubwatch started (the operator typed it), are identity.
 */
export function redactEntity(state: EntityState, redact: Redactor): EntityState {
  const keep = [state.hub, state.id];
  const text = (value: string | null): string | null => (value === null ? null : redact.text(value, keep));
  switch (state.type) {
    case 'bot': {
      const status = text(state.status);
      const snapshot = redact.payloadValue(state.snapshot, {
        hub: state.hub,
        event: '',
        entity: { id: state.id },
      });
      return status === state.status && snapshot === state.snapshot ? state : { ...state, status, snapshot };
    }
    case 'server': {
      const status = text(state.status);
      let crashes = state.crashes;
      for (let i = 0; i < crashes.length; i++) {
        const crash = crashes[i]!;
        const reason = text(crash.reason);
        if (reason === crash.reason) continue;
        if (crashes === state.crashes) crashes = crashes.slice();
        crashes[i] = { ...crash, reason };
      }
      return status === state.status && crashes === state.crashes ? state : { ...state, status, crashes };
    }
    case 'session': {
      const result = text(state.result);
      const reason = text(state.reason);
      const ownerAccessKey = text(state.ownerAccessKey);
      return result === state.result && reason === state.reason && ownerAccessKey === state.ownerAccessKey
        ? state
        : { ...state, result, reason, ownerAccessKey };
    }
    case 'task': {
      const message = text(state.message);
      return message === state.message ? state : { ...state, message };
    }
    case 'command': {
      const errorMessage = text(state.errorMessage);
      let lines = state.lines;
      for (let i = 0; i < lines.length; i++) {
        const entry = lines[i]!;
        const line = redact.text(entry.line, keep);
        if (line === entry.line) continue;
        if (lines === state.lines) lines = lines.slice();
        lines[i] = { ...entry, line };
      }
      return errorMessage === state.errorMessage && lines === state.lines
        ? state
        : { ...state, errorMessage, lines };
    }
  }
}
