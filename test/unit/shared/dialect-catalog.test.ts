import { describe, expect, it } from 'vitest';
import {
  BACKENDAI_SESSION_EVENT_NAMES,
  BACKENDAI_TASK_CANCELLED_EVENT_NAMES,
  BACKENDAI_TASK_FAILED_EVENT_NAMES,
  DEFAULT_ALERT_RULES,
  DIALECT_FIELD_OWNERS,
  DIALECT_IDS,
  dialectEntry,
  WEBSOCKET_DIALECTS,
} from '../../../src/shared/dialect-catalog';
import { filterError } from '../../../src/shared/filter';
import { AUTH_TYPES } from '../../../src/shared/hub-config';
import { HUB_CONFIG_ENTRIES } from '../../../src/shared/hub-config-schema';

const ENTRIES = DIALECT_IDS.map((id) => [id, dialectEntry(id)] as const);

describe('the dialect catalog', () => {
  it('has every default alert rule name only events its own dialect is known to emit', () => {
    for (const rule of DEFAULT_ALERT_RULES) {
      expect(rule.match.dialects, rule.id).toHaveLength(1);
      const dialect = rule.match.dialects![0]!;
      expect(rule.match.events?.length ?? 0, rule.id).toBeGreaterThan(0);
      for (const event of rule.match.events ?? [])
        expect(dialectEntry(dialect).events, `${rule.id}: ${event}`).toContain(event);
    }
  });

  it('gives every default alert rule a unique id and a filter that compiles', () => {
    const ids = DEFAULT_ALERT_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of DEFAULT_ALERT_RULES) expect(filterError(rule.match), rule.id).toBeNull();
  });

  it('lists the default alert rules of every dialect and nothing else', () => {
    expect(DEFAULT_ALERT_RULES.map((rule) => rule.id)).toEqual(
      ENTRIES.flatMap(([, entry]) => entry.alertRules.map((rule) => rule.id)),
    );
  });

  it('gives a WebSocket URL example to exactly the dialects that speak WebSocket', () => {
    expect(WEBSOCKET_DIALECTS.length).toBeGreaterThan(0);
    for (const [id, entry] of ENTRIES) {
      expect(entry.transports[0], id).toBe('sse');
      expect(entry.urlPlaceholder.websocket !== undefined, id).toBe(WEBSOCKET_DIALECTS.includes(id));
    }
  });

  it('writes every URL example as a URL its transport accepts, or leaves it empty', () => {
    for (const [id, entry] of ENTRIES) {
      for (const url of Object.values(entry.urlPlaceholder)) {
        if (url !== '') expect(url, id).toMatch(/^(https?|wss?):\/\/\S+$/);
      }
    }
  });

  it('gives each dialect-only field to one dialect, and every one is a config field', () => {
    const owned = ENTRIES.flatMap(([, entry]) => entry.fields);
    expect(new Set(owned).size).toBe(owned.length);
    for (const field of owned) expect(Object.keys(HUB_CONFIG_ENTRIES)).toContain(field);
    for (const [id, entry] of ENTRIES)
      for (const field of entry.fields) expect(DIALECT_FIELD_OWNERS[field]).toBe(id);
  });

  it('starts new hubs with an auth type that exists, header auth with its header name', () => {
    for (const [id, entry] of ENTRIES) {
      expect(AUTH_TYPES, id).toContain(entry.defaultAuth.type);
      expect(entry.defaultAuth.name !== undefined, id).toBe(entry.defaultAuth.type === 'header');
    }
  });

  it('lists each known event name once per dialect', () => {
    for (const [id, entry] of ENTRIES) expect(new Set(entry.events).size, id).toBe(entry.events.length);
  });

  it('knows every Backend.AI task and session name, the tak_failed typo among the failures', () => {
    const events = dialectEntry('backendai').events;
    for (const name of [
      ...BACKENDAI_SESSION_EVENT_NAMES,
      ...BACKENDAI_TASK_FAILED_EVENT_NAMES,
      ...BACKENDAI_TASK_CANCELLED_EVENT_NAMES,
    ])
      expect(events).toContain(name);
    expect(BACKENDAI_TASK_FAILED_EVENT_NAMES).toContain('tak_failed');
    const failed = DEFAULT_ALERT_RULES.find((rule) => rule.id === 'backendai-task-failed');
    expect(failed?.match.events).toEqual([...BACKENDAI_TASK_FAILED_EVENT_NAMES]);
  });
});
