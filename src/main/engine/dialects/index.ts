/**
 * The hub kinds Hubwatch speaks, by dialect id. Each dialect builds a hub's connection plan
 * and maps its frames to HubEvent fields (see the modules for each kind's rules).
 */
import type { DialectId } from '../../../shared/hub-config';
import { backendAiDialect } from './backendai';
import { botHubDialect } from './bot-hub';
import { evoclawDialect } from './evoclaw';
import { genericDialect } from './generic';
import { protocubeDialect } from './protocube';
import { rdevDialect } from './rdev';
import type { Dialect } from './types';

const DIALECTS: Readonly<Record<DialectId, Dialect>> = {
  'bot-hub': botHubDialect,
  protocube: protocubeDialect,
  evoclaw: evoclawDialect,
  rdev: rdevDialect,
  backendai: backendAiDialect,
  generic: genericDialect,
};

/** The dialect for a hub kind. Config validation guarantees the id is one of `DIALECT_IDS`. */
export function getDialect(id: DialectId): Dialect {
  return DIALECTS[id];
}

export type { Dialect, DialectContext, HubDialect } from './types';
