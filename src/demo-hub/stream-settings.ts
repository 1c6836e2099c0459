/**
 * The scenario knobs of one stream: pace, seed and faults. The hub's options give the
 * defaults; a request's query string can override any of them for that request. One table
 * lists every knob with its query-string name and its CLI flag, so the two never drift.
 */
import { FAIL_STATUSES, type FailStatus, type FaultOptions, type LineEnding } from './faults';

/** Everything that shapes one stream. */
export interface StreamSettings {
  /** Events per second per stream. */
  rate: number;
  /** Seed of the stream's random sequence. */
  seed: number;
  /** rdev: how much faster than real time simulated commands run. */
  speed: number;
  /** evoclaw and rdev heartbeat interval, ms. */
  heartbeatMs: number;
  /** WebSocket ping interval, ms (0 = never). */
  pingMs: number;
  faults: FaultOptions;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  rate: 4,
  seed: 1,
  speed: 1,
  heartbeatMs: 5000,
  pingMs: 10_000,
  faults: {},
};

/** A knob value that cannot be used; the hub answers 400, the CLI exits 2. */
export class KnobError extends Error {
  override name = 'KnobError';
}

type KnobKind =
  | { kind: 'number'; min: number; max: number; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'choice'; values: readonly string[] };

/** One knob: its names and how a value lands in the settings. */
export interface KnobSpec {
  /** Query-string parameter name. */
  query: string;
  /** CLI flag name (without `--`). */
  flag: string;
  /** One line for the usage text and the README. */
  description: string;
  type: KnobKind;
  apply(settings: StreamSettings, value: number | boolean | string): void;
  /** The knob's value in `settings` (undefined when off). */
  read(settings: StreamSettings): number | boolean | string | undefined;
}

const int = (min: number, max: number): KnobKind => ({ kind: 'number', min, max, integer: true });
const real = (min: number, max: number): KnobKind => ({ kind: 'number', min, max, integer: false });
const boolean: KnobKind = { kind: 'boolean' };
const MAX_COUNT = 1_000_000_000;

/** Every knob, in the order the usage text lists them. */
export const KNOBS: readonly KnobSpec[] = [
  {
    query: 'rate',
    flag: 'rate',
    description: 'events per second per stream (default 4)',
    type: real(0.001, 1_000_000),
    apply: (s, v) => (s.rate = Number(v)),
    read: (s) => s.rate,
  },
  {
    query: 'seed',
    flag: 'seed',
    description: 'seed of the random sequences (default 1)',
    type: int(0, 4_294_967_295),
    apply: (s, v) => (s.seed = Number(v)),
    read: (s) => s.seed,
  },
  {
    query: 'speed',
    flag: 'speed',
    description: 'rdev: run simulated commands this many times faster (default 1)',
    type: real(0.01, 10_000),
    apply: (s, v) => (s.speed = Number(v)),
    read: (s) => s.speed,
  },
  {
    query: 'heartbeatMs',
    flag: 'heartbeat-ms',
    description: 'evoclaw and rdev heartbeat interval in ms (default 5000)',
    type: int(10, 3_600_000),
    apply: (s, v) => (s.heartbeatMs = Number(v)),
    read: (s) => s.heartbeatMs,
  },
  {
    query: 'pingMs',
    flag: 'ping-ms',
    description: 'WebSocket ping interval in ms, 0 = never (default 10000)',
    type: int(0, 3_600_000),
    apply: (s, v) => (s.pingMs = Number(v)),
    read: (s) => s.pingMs,
  },
  {
    query: 'dropAfter',
    flag: 'drop-after',
    description: 'after N events cut the connection mid-frame (WebSocket: no close frame, 1006)',
    type: int(0, MAX_COUNT),
    apply: (s, v) => (s.faults.dropAfter = Number(v)),
    read: (s) => s.faults.dropAfter,
  },
  {
    query: 'stallAfter',
    flag: 'stall-after',
    description: 'after N events send nothing more but keep the connection open',
    type: int(0, MAX_COUNT),
    apply: (s, v) => (s.faults.stallAfter = Number(v)),
    read: (s) => s.faults.stallAfter,
  },
  {
    query: 'endAfter',
    flag: 'end-after',
    description: 'after N events end the stream cleanly (WebSocket: close with --close-code)',
    type: int(0, MAX_COUNT),
    apply: (s, v) => (s.faults.endAfter = Number(v)),
    read: (s) => s.faults.endAfter,
  },
  {
    query: 'closeCode',
    flag: 'close-code',
    description: 'WebSocket close code for --end-after (default 1000)',
    type: int(1000, 4999),
    apply: (s, v) => (s.faults.closeCode = Number(v)),
    read: (s) => s.faults.closeCode,
  },
  {
    query: 'failFirst',
    flag: 'fail-first',
    description: 'answer the first K requests to each stream path with --fail-status',
    type: int(0, MAX_COUNT),
    apply: (s, v) => (s.faults.failFirst = Number(v)),
    read: (s) => s.faults.failFirst,
  },
  {
    query: 'failStatus',
    flag: 'fail-status',
    description: `status for --fail-first: ${FAIL_STATUSES.join(', ')} (default 503)`,
    type: { kind: 'choice', values: FAIL_STATUSES.map(String) },
    apply: (s, v) => (s.faults.failStatus = Number(v) as FailStatus),
    read: (s) => s.faults.failStatus,
  },
  {
    query: 'retryAfter',
    flag: 'retry-after',
    description: 'Retry-After seconds sent with --fail-first answers (default 1)',
    type: int(0, 86_400),
    apply: (s, v) => (s.faults.retryAfterSec = Number(v)),
    read: (s) => s.faults.retryAfterSec,
  },
  {
    query: 'malformedEvery',
    flag: 'malformed-every',
    description: 'every Nth event carries a payload that is not valid JSON',
    type: int(1, MAX_COUNT),
    apply: (s, v) => (s.faults.malformedEvery = Number(v)),
    read: (s) => s.faults.malformedEvery,
  },
  {
    query: 'keepAliveMs',
    flag: 'keep-alive-ms',
    description: 'send a ": keep-alive" comment every M ms (SSE)',
    type: int(1, 3_600_000),
    apply: (s, v) => (s.faults.keepAliveMs = Number(v)),
    read: (s) => s.faults.keepAliveMs,
  },
  {
    query: 'eol',
    flag: 'eol',
    description: 'SSE line endings: lf, crlf or cr (default lf)',
    type: { kind: 'choice', values: ['lf', 'crlf', 'cr'] },
    apply: (s, v) => (s.faults.eol = v as LineEnding),
    read: (s) => s.faults.eol,
  },
  {
    query: 'crlf',
    flag: 'crlf',
    description: 'same as --eol crlf',
    type: boolean,
    apply: (s, v) => {
      if (v === true) s.faults.eol = 'crlf';
    },
    read: (s) => s.faults.eol === 'crlf',
  },
  {
    query: 'split',
    flag: 'split',
    description: 'write frames in random byte slices, also inside UTF-8 characters (SSE)',
    type: boolean,
    apply: (s, v) => (s.faults.split = v === true),
    read: (s) => s.faults.split,
  },
  {
    query: 'hugeBytes',
    flag: 'huge-bytes',
    description: 'pad one event to about this many bytes (e.g. 10485760)',
    type: int(0, 512 * 1024 * 1024),
    apply: (s, v) => (s.faults.hugeBytes = Number(v)),
    read: (s) => s.faults.hugeBytes,
  },
  {
    query: 'hugeAt',
    flag: 'huge-at',
    description: 'which event --huge-bytes inflates, 1-based (default 2)',
    type: int(1, MAX_COUNT),
    apply: (s, v) => (s.faults.hugeAt = Number(v)),
    read: (s) => s.faults.hugeAt,
  },
  {
    query: 'noPing',
    flag: 'no-ping',
    description: 'WebSocket: never send ping frames',
    type: boolean,
    apply: (s, v) => (s.faults.noPing = v === true),
    read: (s) => s.faults.noPing,
  },
  {
    query: 'noPong',
    flag: 'no-pong',
    description: "WebSocket: do not answer the client's pings",
    type: boolean,
    apply: (s, v) => (s.faults.noPong = v === true),
    read: (s) => s.faults.noPong,
  },
  {
    query: 'retry',
    flag: 'sse-retry',
    description: 'SSE: send "retry: MS" before the first event',
    type: int(0, 86_400_000),
    apply: (s, v) => (s.faults.sseRetryMs = Number(v)),
    read: (s) => s.faults.sseRetryMs,
  },
];

/** A copy that can be changed without touching the original. */
export function cloneSettings(settings: StreamSettings): StreamSettings {
  return { ...settings, faults: { ...settings.faults } };
}

/** Parses one knob value given as text (query string or CLI flag). */
export function parseKnobValue(knob: KnobSpec, raw: string, label: string): number | boolean | string {
  const type = knob.type;
  switch (type.kind) {
    case 'boolean': {
      const text = raw.trim().toLowerCase();
      if (text === '' || text === '1' || text === 'true' || text === 'yes') return true;
      if (text === '0' || text === 'false' || text === 'no') return false;
      throw new KnobError(`${label} must be 1/true or 0/false, not '${raw}'`);
    }
    case 'choice':
      if (!type.values.includes(raw)) {
        throw new KnobError(`${label} must be one of ${type.values.join(', ')}, not '${raw}'`);
      }
      return raw;
    case 'number': {
      const value = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value) || (type.integer && !Number.isInteger(value))) {
        throw new KnobError(`${label} must be ${type.integer ? 'an integer' : 'a number'}, not '${raw}'`);
      }
      if (value < type.min || value > type.max) {
        throw new KnobError(`${label} must be between ${type.min} and ${type.max}, not ${value}`);
      }
      return value;
    }
  }
}

/**
 * The settings of one request: the hub's defaults with the request's query-string knobs
 * applied. Throws `KnobError` for a bad value.
 */
export function settingsForRequest(defaults: StreamSettings, params: URLSearchParams): StreamSettings {
  const settings = cloneSettings(defaults);
  for (const knob of KNOBS) {
    const raw = params.get(knob.query);
    if (raw === null) continue;
    knob.apply(settings, parseKnobValue(knob, raw, `query parameter '${knob.query}'`));
  }
  return settings;
}
