/**
 * Event names each dialect emits (from the seed API documents), offered in the filter's
 * event picker before they have been seen; names seen live are added to them.
 */
import type { DialectId } from '../../../shared/hub-config';

/** Event names by dialect. */
export const KNOWN_EVENTS: Record<DialectId, readonly string[]> = {
  'bot-hub': ['log', 'session'],
  protocube: ['status', 'crash', 'deleted'],
  evoclaw: ['message', 'status'],
  rdev: ['connected', 'output', 'complete', 'heartbeat', 'error'],
  backendai: [
    'session_preparing',
    'session_pulling',
    'session_creating',
    'session_started',
    'session_terminated',
    'task_updated',
    'task_done',
    'task_failed',
    'tak_failed',
    'task_cancelled',
    'server_close',
  ],
  generic: [],
};

/** The sorted union of known and seen event names (plus `gap`, which every hub can have). */
export function eventChoices(dialects: readonly DialectId[], seen: Iterable<string>): string[] {
  const names = new Set<string>(['gap']);
  for (const dialect of dialects) for (const name of KNOWN_EVENTS[dialect]) names.add(name);
  for (const name of seen) names.add(name);
  return [...names].sort();
}
