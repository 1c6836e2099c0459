/**
 * The filter bar's editing model: what the operator types, field by field, and the
 * `FilterSpec` it becomes. Validation runs locally as they type (an invalid regex or
 * expression is reported inline, never thrown), with the same compiler the engine uses.
 */
import { filterError, type FilterSpec } from '../../../shared/filter';
import { LEVELS, type EntityType, type Level } from '../../../shared/hub-event';

export interface FilterDraft {
  /** Levels shown; empty means every level. */
  levels: Level[];
  /** Event names shown; empty means every event. */
  events: string[];
  entityType: EntityType | '';
  entityId: string;
  text: string;
  regex: string;
  where: string;
  invert: boolean;
}

/** The untouched filter bar. */
export const EMPTY_DRAFT: FilterDraft = {
  levels: [],
  events: [],
  entityType: '',
  entityId: '',
  text: '',
  regex: '',
  where: '',
  invert: false,
};

/** The draft for a spec (parts the bar does not edit — hubs, time range — are kept by `specFromDraft`). */
export function draftFromSpec(spec: FilterSpec): FilterDraft {
  return {
    levels: spec.levels ? LEVELS.filter((level) => spec.levels?.includes(level)) : [],
    events: spec.events ? [...spec.events] : [],
    entityType: spec.entity?.type ?? '',
    entityId: spec.entity?.id ?? '',
    text: spec.text ?? '',
    regex: spec.regex ?? '',
    where: spec.where ?? '',
    invert: spec.invert === true,
  };
}

/**
 * The spec for a draft. Empty parts are left out, so an untouched bar is the empty
 * filter; `base` contributes what the bar does not edit (time range, regex flags).
 */
export function specFromDraft(draft: FilterDraft, base: FilterSpec = {}): FilterSpec {
  const spec: FilterSpec = {};
  if (base.from != null) spec.from = base.from;
  if (base.to != null) spec.to = base.to;
  if (base.regexFlags != null) spec.regexFlags = base.regexFlags;
  if (base.dialects && base.dialects.length > 0) spec.dialects = [...base.dialects];
  if (draft.levels.length > 0 && draft.levels.length < LEVELS.length) spec.levels = [...draft.levels];
  if (draft.events.length > 0) spec.events = [...draft.events];
  if (draft.entityType !== '') {
    const id = draft.entityId.trim();
    spec.entity = id === '' ? { type: draft.entityType } : { type: draft.entityType, id };
  }
  if (draft.text.trim() !== '') spec.text = draft.text.trim();
  if (draft.regex !== '') spec.regex = draft.regex;
  if (draft.where.trim() !== '') spec.where = draft.where.trim();
  if (draft.invert) spec.invert = true;
  return spec;
}

/** Problems with what was typed, by field: shown under the field, and the filter is not applied. */
export function draftProblems(draft: FilterDraft): { regex?: string; where?: string } {
  const problem = filterError(specFromDraft(draft));
  if (!problem) return {};
  if (problem.field === 'regex') return { regex: problem.error };
  if (problem.field === 'where') return { where: problem.error };
  return {};
}

/**
 * Toggles one level. With every level shown (the empty set), clicking one shows only it;
 * `only` (Alt/Shift-click) always shows only it; removing the last one shows every level.
 */
export function toggleLevel(levels: readonly Level[], level: Level, only = false): Level[] {
  if (only || levels.length === 0) return levels.length === 1 && levels[0] === level ? [] : [level];
  const next = levels.includes(level) ? levels.filter((l) => l !== level) : [...levels, level];
  return next.length === LEVELS.length ? [] : LEVELS.filter((l) => next.includes(l));
}

/** True when a level is shown by the draft's level set. */
export function levelShown(levels: readonly Level[], level: Level): boolean {
  return levels.length === 0 || levels.includes(level);
}

/** True when two drafts would produce the same spec. */
export function sameDraft(a: FilterDraft, b: FilterDraft): boolean {
  return JSON.stringify(specFromDraft(a)) === JSON.stringify(specFromDraft(b));
}

/** A one-line summary of a filter: saved-filter lists, tooltips, the export dialog. */
export function describeFilter(spec: FilterSpec): string {
  const parts: string[] = [];
  if (spec.hubs && spec.hubs.length > 0) parts.push(`hub ${spec.hubs.join(', ')}`);
  if (spec.levels && spec.levels.length > 0) parts.push(`level ${spec.levels.join(', ')}`);
  if (spec.events && spec.events.length > 0) parts.push(`event ${spec.events.join(', ')}`);
  if (spec.entity)
    parts.push(spec.entity.id ? `${spec.entity.type} ${spec.entity.id}` : `any ${spec.entity.type}`);
  if (spec.text) parts.push(`"${spec.text}"`);
  if (spec.regex) parts.push(`/${spec.regex}/`);
  if (spec.where) parts.push(`where ${spec.where}`);
  if (spec.invert) parts.push('inverted');
  return parts.length === 0 ? 'everything' : parts.join(' · ');
}

/** The filter a tab runs: its own filter, scoped to its hubs. */
export function scopedFilter(filter: FilterSpec, scope: readonly string[] | null): FilterSpec {
  return scope === null ? filter : { ...filter, hubs: [...scope] };
}
