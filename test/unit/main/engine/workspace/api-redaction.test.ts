import { describe, expect, it } from 'vitest';
import {
  redactConnectionState,
  redactEntity,
  redactHubEvent,
  redactRows,
} from '../../../../../src/main/engine/workspace/api-redaction';
import { createRedactor } from '../../../../../src/main/engine/redaction';
import type { CommandState, ServerState } from '../../../../../src/shared/entities';
import type { EventRow, ListRow } from '../../../../../src/shared/event-row';
import type { HubEvent } from '../../../../../src/shared/hub-event';

// The token `fleet` is part of the hub id, the event name and the entity id.
const redact = createRedactor(['fleet']);

const row: EventRow = {
  kind: 'event',
  g: 1,
  hub: 'ops-fleet',
  seq: 1,
  receivedAt: 1,
  time: 1,
  event: 'fleet-status',
  id: 'fleet-1',
  level: 'info',
  source: 'fleet-core',
  entity: { type: 'server', id: 'srv-fleet' },
  message: 'srv-fleet → running with fleet?token=abc',
  malformed: false,
  gap: false,
};

describe('what the UI receives', () => {
  it('rows: the message and source redacted, the identities as they are', () => {
    const plain: EventRow = { ...row, seq: 2, source: null, message: 'nothing here' };
    const rows: ListRow[] = [row, { kind: 'evicted', count: 3 }, plain];
    const out = redactRows(rows, redact);
    expect(out[0]).toEqual({
      ...row,
      source: 'REDACTED-core',
      message: 'srv-fleet → running with REDACTED?token=REDACTED',
    });
    // Rows with nothing to redact are passed on as they are.
    expect(out[1]).toBe(rows[1]);
    expect(out[2]).toBe(plain);
    expect(redactRows([plain], redact)).toEqual([plain]);
  });

  it('a record: its payload keeps credential patterns and its identities but not the known secret', () => {
    const event: HubEvent = {
      hub: 'ops-fleet',
      seq: 1,
      receivedAt: 1,
      time: 1,
      event: 'fleet-status',
      id: 'fleet-1',
      level: 'info',
      source: null,
      entity: { type: 'server', id: 'srv-fleet' },
      message: 'srv-fleet up',
      data: { server_id: 'srv-fleet', note: 'fleet online', url: 'http://h/e?token=abc' },
    };
    expect(redactHubEvent(event, redact)).toEqual({
      ...event,
      data: { server_id: 'srv-fleet', note: 'REDACTED online', url: 'http://h/e?token=abc' },
    });
  });

  it('a connection state: its detail redacted as a diagnostic, the hub it names kept', () => {
    const failed = {
      state: 'failed',
      reason: 'bad_config',
      detail: 'hub "ops-fleet": auth.token rejected (fleet)',
    } as const;
    expect(redactConnectionState(failed, redact, ['ops-fleet', 'Ops fleet'])).toEqual({
      ...failed,
      detail: 'hub "ops-fleet": auth.token rejected (REDACTED)',
    });
    const open = { state: 'open', since: 1 } as const;
    expect(redactConnectionState(open, redact, ['ops-fleet'])).toBe(open);
  });

  it('an entity: its text redacted, its key, hub and id never', () => {
    const server: ServerState = {
      key: 'ops-fleet\u0000server\u0000srv-fleet',
      hub: 'ops-fleet',
      type: 'server',
      id: 'srv-fleet',
      firstSeenAt: 1,
      lastEventAt: 1,
      lastSeq: 2,
      events: 2,
      status: 'crashed',
      statusSince: 1,
      crashes: [{ at: 1, reason: 'auth fleet expired on srv-fleet', exitCode: 1, seq: 2 }],
      deleted: false,
    };
    const out = redactEntity(server, redact);
    expect(out).toEqual({
      ...server,
      crashes: [{ at: 1, reason: 'auth REDACTED expired on srv-fleet', exitCode: 1, seq: 2 }],
    });
    expect(server.crashes[0]!.reason).toBe('auth fleet expired on srv-fleet');

    const command: CommandState = {
      key: 'ops-fleet\u0000command\u0000c1',
      hub: 'ops-fleet',
      type: 'command',
      id: 'c1',
      firstSeenAt: 1,
      lastEventAt: 1,
      lastSeq: 1,
      events: 1,
      command: 'deploy fleet',
      status: 'running',
      exitCode: null,
      durationMs: null,
      errorMessage: null,
      lines: [{ seq: 1, stream: 'stdout', line: 'curl -H "Authorization: Bearer xyz" fleet' }],
      linesDropped: 0,
    };
    expect(redactEntity(command, redact)).toEqual({
      ...command,
      lines: [{ seq: 1, stream: 'stdout', line: 'curl -H "Authorization: Bearer REDACTED" REDACTED' }],
    });
  });
});
