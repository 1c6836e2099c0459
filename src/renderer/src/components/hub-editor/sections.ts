/**
 * The own part of the hub editor's Connection section of each dialect that has config fields
 * of its own (the catalog's `fields`, or a URL built from parts). Everything else the section
 * shows for every dialect is the catalog's: the URL field's label and example, the transport
 * choice. A dialect without fields of its own has no entry.
 */
import type { Component } from 'svelte';
import type { DialectId } from '../../../../shared/dialect-catalog';
import type { FormErrors, HubDraft } from '../../lib/hub-form';
import BackendAiSection from './BackendAiSection.svelte';
import EvoclawSection from './EvoclawSection.svelte';
import GenericSection from './GenericSection.svelte';
import RdevSection from './RdevSection.svelte';

/** What a dialect's section edits: the draft (bound) and the errors to show by field. */
export interface DialectSectionProps {
  draft: HubDraft;
  errors: FormErrors;
}

/** A dialect's section and where it goes. */
export interface DialectSection {
  /**
   * `url`: instead of the URL field (the dialect builds the URL from its own fields);
   * `fields`: in the connection grid, after the URL and transport; `below`: under the grid.
   */
  place: 'url' | 'fields' | 'below';
  component: Component<DialectSectionProps, object, 'draft'>;
}

export const DIALECT_SECTIONS: Readonly<Partial<Record<DialectId, DialectSection>>> = {
  evoclaw: { place: 'fields', component: EvoclawSection },
  rdev: { place: 'fields', component: RdevSection },
  backendai: { place: 'url', component: BackendAiSection },
  generic: { place: 'below', component: GenericSection },
};

/** The section of a dialect, or null when it has no fields of its own. */
export function sectionOf(dialect: DialectId): DialectSection | null {
  return DIALECT_SECTIONS[dialect] ?? null;
}
