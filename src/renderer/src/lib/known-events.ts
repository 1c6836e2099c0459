/**
 * The event names offered in the filter's event picker: each dialect's known names (the
 * catalog's, from the seed API documents) before they have been seen, plus names seen live.
 */
import { dialectEntry, type DialectId } from '../../../shared/dialect-catalog';

/** The sorted union of known and seen event names (plus `gap`, which every hub can have). */
export function eventChoices(dialects: readonly DialectId[], seen: Iterable<string>): string[] {
  const names = new Set<string>(['gap']);
  for (const dialect of dialects) for (const name of dialectEntry(dialect).events) names.add(name);
  for (const name of seen) names.add(name);
  return [...names].sort();
}
