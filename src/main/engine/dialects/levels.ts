/**
 * Level normalisation: whatever a payload calls its severity becomes one of the five
 * HubEvent levels. Runs for every event, so the common spellings are one Map lookup.
 */
import type { JsonValue, Level } from '../../../shared/hub-event';

const LEVEL_NAMES: ReadonlyArray<readonly [Level, readonly string[]]> = [
  ['debug', ['debug', 'trace', 'verbose', 'silly', 'fine', 'finer', 'finest', 'dbg', 'trc']],
  ['info', ['info', 'information', 'informational', 'notice', 'log', 'ok', 'success', 'inf']],
  ['warn', ['warn', 'warning', 'wrn']],
  ['error', ['error', 'err', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'panic', 'severe']],
  ['state', ['state']],
];

/** Exact spellings (lower and upper case) first; anything else is lower-cased once and retried. */
const LEVEL_BY_NAME: ReadonlyMap<string, Level> = new Map(
  LEVEL_NAMES.flatMap(([level, names]) =>
    names.flatMap((name) => [
      [name, level] as const,
      [name.toUpperCase(), level] as const,
      [name[0]!.toUpperCase() + name.slice(1), level] as const,
    ]),
  ),
);

/**
 * A numeric level. Integers 0–7 are syslog severities (0 emergency … 7 debug); anything
 * else uses pino/bunyan thresholds (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal).
 */
function levelFromNumber(value: number): Level {
  if (Number.isInteger(value) && value >= 0 && value <= 7) {
    if (value <= 3) return 'error';
    if (value === 4) return 'warn';
    if (value <= 6) return 'info';
    return 'debug';
  }
  if (value < 30) return 'debug';
  if (value < 40) return 'info';
  if (value < 50) return 'warn';
  return 'error';
}

/**
 * The level a payload states, normalised (warning → warn, fatal/critical → error,
 * trace → debug, numeric pino and syslog levels; an unknown name → info), or `null` when
 * the payload states none (absent, null, empty, or not a string or number) so the dialect
 * derives one.
 */
export function normalizeLevel(value: JsonValue | undefined): Level | null {
  if (typeof value === 'string') {
    if (value.length === 0) return null;
    const exact = LEVEL_BY_NAME.get(value);
    if (exact !== undefined) return exact;
    const folded = value.trim().toLowerCase();
    if (folded.length === 0) return null;
    const named = LEVEL_BY_NAME.get(folded);
    if (named !== undefined) return named;
    // Some loggers send numeric levels as strings ("30").
    const numeric = Number(folded);
    return Number.isFinite(numeric) ? levelFromNumber(numeric) : 'info';
  }
  if (typeof value === 'number' && Number.isFinite(value)) return levelFromNumber(value);
  return null;
}
