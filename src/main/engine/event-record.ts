import {
  GAP_EVENT,
  GAP_SOURCE,
  type EntityRef,
  type HubEvent,
  type JsonValue,
  type Level,
} from '../../shared/hub-event';

/**
 * What a dialect makes of one frame: every HubEvent field except those the engine assigns
 * (`hub`, `seq`, `receivedAt`, `id`).
 */
export interface MappedEvent {
  event: string;
  /** The event's own time in epoch ms, or the frame's receivedAt when the payload has none. */
  time: number;
  level: Level;
  source: string | null;
  entity: EntityRef | null;
  message: string | null;
  /** The parsed payload, or the raw text when it is not JSON. */
  data: JsonValue;
  /**
   * The JSON text `data` was parsed from (as received, possibly multi-line), or `null`
   * when `data` is not from JSON. Lets writers emit the payload without re-serialising it.
   */
  raw: string | null;
  /** True when the dialect expected JSON and the payload was not: kept, never dropped. */
  malformed: boolean;
}

/**
 * A HubEvent inside the engine, with what the engine needs beyond the contract. Never
 * serialise it with JSON.stringify: use `toHubEvent` or an export writer, which keep the
 * contract's exact keys and order.
 */
export interface EngineEvent extends HubEvent {
  raw: string | null;
  malformed: boolean;
  /** Set on gap markers (a real hub may name an event "gap" too). */
  gap?: boolean;
  /**
   * Hubs whose server replays the stream from its start (`replaysFromStart`): the frame's
   * fingerprint, kept in the history so a restarted hub still skips what it already has.
   */
  replayFingerprint?: number;
}

/** The contract record, with exactly the 11 keys in their order. */
export function toHubEvent(event: EngineEvent): HubEvent {
  return {
    hub: event.hub,
    seq: event.seq,
    receivedAt: event.receivedAt,
    time: event.time,
    event: event.event,
    id: event.id,
    level: event.level,
    source: event.source,
    entity: event.entity,
    message: event.message,
    data: event.data,
  };
}

/** Parses JSON text that was valid when it arrived; never throws (a read must not break a writer). */
export function parseJsonText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/**
 * The record the engine builds for each frame. Its parsed payload is held only while the
 * frame is being ingested (store, entities, alerts read it then); `release()` drops it,
 * after which `data` is parsed again from `raw` on demand. Batches can wait tens of
 * milliseconds for their subscribers, and a parsed payload is a tree of objects: holding
 * them through a garbage collection would copy every one of them, for subscribers that
 * mostly write `raw` as it came. A class, so every record shares one shape.
 */
export class IngestedEvent implements EngineEvent {
  private parsed: JsonValue | undefined;
  gap?: boolean;
  replayFingerprint?: number;

  constructor(
    public hub: string,
    public seq: number,
    public receivedAt: number,
    public time: number,
    public event: string,
    public id: string | null,
    public level: Level,
    public source: string | null,
    public entity: EntityRef | null,
    public message: string | null,
    data: JsonValue,
    /** When set, `data` is `JSON.parse(raw)`. */
    public raw: string | null,
    public malformed: boolean,
  ) {
    this.parsed = data;
  }

  get data(): JsonValue {
    let parsed = this.parsed;
    if (parsed === undefined) {
      parsed = this.raw === null ? null : parseJsonText(this.raw);
      this.parsed = parsed;
    }
    return parsed;
  }

  /** Lets go of the parsed payload when it can be read again from `raw`. */
  release(): void {
    if (this.raw !== null) this.parsed = undefined;
  }
}

/**
 * A gap marker (docs/architecture.md): `event: "gap"`, `level: "warn"`, `source: "hubwatch"`,
 * `data: null`, a `message` saying why events may be missing, at `seq` — the connection's
 * markers take the hub's next seq, an export's markers one between two real ones.
 */
export function gapMarker(hub: string, seq: number, at: number, message: string): IngestedEvent {
  const marker = new IngestedEvent(
    hub,
    seq,
    at,
    at,
    GAP_EVENT,
    null,
    'warn',
    GAP_SOURCE,
    null,
    message,
    null,
    null,
    false,
  );
  marker.gap = true;
  return marker;
}
