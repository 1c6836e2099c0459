/**
 * Fuzzy matching for the Ctrl/Cmd+K switcher: the query's characters must appear in
 * order; consecutive runs and matches at word starts score higher, so `bt` finds
 * "Demo bot fleet" before "backendai-task".
 */

export interface FuzzyMatch {
  score: number;
  /** Positions in the text that matched, for highlighting. */
  positions: number[];
}

const WORD_BREAK = /[\s\-_./:()]/;

/** Scores `text` against `query` (case-insensitive); null when it does not match. */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | null {
  const needle = query.trim().toLowerCase();
  if (needle === '') return { score: 0, positions: [] };
  const haystack = text.toLowerCase();
  const positions: number[] = [];
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const ch of needle) {
    if (ch === ' ') continue;
    const at = haystack.indexOf(ch, from);
    if (at < 0) return null;
    let points = 1;
    if (at === previous + 1) points += 4;
    if (at === 0 || WORD_BREAK.test(haystack[at - 1] ?? '')) points += 3;
    score += points;
    positions.push(at);
    previous = at;
    from = at + 1;
  }
  // A whole-substring hit beats scattered letters; shorter texts win ties.
  if (haystack.includes(needle)) score += 10;
  score -= text.length / 100;
  return { score, positions };
}

/** Points a match in a secondary label (a detail line) loses against one in the name. */
const SECONDARY_PENALTY = 8;

/**
 * Filters and orders items by their best-matching label (the first label is the name;
 * matches in the others rank lower). `label` says which one matched, so only a match in
 * the name is highlighted in it. Items keep their original order for an empty query.
 */
export function fuzzyFilter<T>(
  items: readonly T[],
  query: string,
  labels: (item: T) => string[],
): { item: T; match: FuzzyMatch; label: number }[] {
  const scored: { item: T; match: FuzzyMatch; label: number; index: number }[] = [];
  items.forEach((item, index) => {
    let best: { match: FuzzyMatch; label: number } | null = null;
    labels(item).forEach((label, labelIndex) => {
      const match = fuzzyMatch(query, label);
      if (!match) return;
      const score = match.score - (labelIndex === 0 ? 0 : SECONDARY_PENALTY);
      if (!best || score > best.match.score) best = { match: { ...match, score }, label: labelIndex };
    });
    if (best) scored.push({ item, ...(best as { match: FuzzyMatch; label: number }), index });
  });
  if (query.trim() !== '') scored.sort((a, b) => b.match.score - a.match.score || a.index - b.index);
  return scored.map(({ item, match, label }) => ({ item, match, label }));
}

/** Splits a label into runs that matched (`hit`) and did not, for highlighting. */
export function highlightParts(
  label: string,
  positions: readonly number[],
): { text: string; hit: boolean }[] {
  const hits = new Set(positions);
  const parts: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < label.length; i++) {
    const hit = hits.has(i);
    const last = parts[parts.length - 1];
    if (last && last.hit === hit) last.text += label[i];
    else parts.push({ text: label[i] ?? '', hit });
  }
  return parts;
}
