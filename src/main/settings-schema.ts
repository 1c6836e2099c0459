/**
 * The shape of the desktop settings file (`config.json`), as a valibot schema: the UI
 * settings and saved filters are the API's own schemas (api-schema.ts), so the file holds
 * exactly what the API accepts. electron-store checks the file on open and on every write
 * against the JSON Schema made from it (`SETTINGS_SCHEMA`).
 *
 * Hubs are checked in depth by the hub config rules (`validateConfig`, which name the hub
 * and the field) and alert rules by compiling them, as the engine does; here they only
 * need their keys. The file may hold keys this schema does not name — it always could (a
 * file from a development preview carries some) — but what it names must be right.
 */
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import type { Schema } from 'electron-store';
import * as v from 'valibot';
import type { AlertRule } from '../shared/alerts';
import { FilterSpecSchema, SavedFilterSchema, UiSettingsSchema } from '../shared/api-schema';
import type { HubConfig } from '../shared/hub-config';
import type { Assert, Same } from '../shared/schema-parts';
import { SETTINGS_VERSION } from './settings-migrations';

const WindowBoundsSchema = v.object({
  x: v.pipe(v.number(), v.integer()),
  y: v.pipe(v.number(), v.integer()),
  width: v.pipe(v.number(), v.integer(), v.minValue(1)),
  height: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

/** Where the window was, to put it back there. */
const WindowStateSchema = v.object({ bounds: v.nullable(WindowBoundsSchema), maximized: v.boolean() });

const AlertRuleEntrySchema = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  name: v.string(),
  enabled: v.boolean(),
  match: FilterSpecSchema,
  title: v.string(),
  coalesceMs: v.pipe(v.number(), v.integer(), v.minValue(0)),
  severity: v.picklist(['error', 'warn']),
});

/** Everything in `config.json`, by key. */
export const SETTINGS_ENTRIES = {
  schemaVersion: v.literal(SETTINGS_VERSION),
  hubs: v.array(v.object({ id: v.unknown(), dialect: v.unknown(), url: v.unknown() })),
  ui: UiSettingsSchema,
  filters: v.array(SavedFilterSchema),
  alertRules: v.array(AlertRuleEntrySchema),
  mutedHubs: v.array(v.string()),
  /**
   * Events kept in memory per hub (a hub's own `retention` overrides it), and how long and
   * how much of the history on disk is kept (defaults: 7 days, 2 GB; older files lack them).
   */
  retention: v.object({
    eventsPerHub: v.pipe(v.number(), v.integer(), v.minValue(1000), v.maxValue(10_000_000)),
    historyDays: v.optional(v.pipe(v.number(), v.minValue(0.01), v.maxValue(3650))),
    historyMaxBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024 * 1024))),
  }),
  window: WindowStateSchema,
  /** Closing the window keeps Hubwatch running in the tray. */
  closeToTray: v.boolean(),
  /** The "still running in the tray" hint was shown once. */
  trayHintShown: v.boolean(),
  /** The built-in demo hub runs (and is started again next time) at this origin. */
  demo: v.nullable(v.object({ origin: v.string() })),
};

export type WindowBounds = v.InferOutput<typeof WindowBoundsSchema>;
export type WindowState = v.InferOutput<typeof WindowStateSchema>;

/** Everything in `config.json` (hubs as the hub config rules have checked them). */
export type SettingsData = Omit<v.InferOutput<v.ObjectSchema<typeof SETTINGS_ENTRIES, undefined>>, 'hubs'> & {
  hubs: HubConfig[];
};

/** Compile-time: the file's alert rules are the engine's. */
type _AlertRulesAreAlertRules = Assert<Same<v.InferOutput<typeof AlertRuleEntrySchema>, AlertRule>>;

/** The JSON Schema of one key, as ajv in electron-store reads it (draft 2020-12). */
function keySchema(schema: v.GenericSchema): JsonSchema {
  const { $schema: _draft, ...rest } = toJsonSchema(schema, {
    target: 'draft-2020-12',
    // The API's objects are pipes (a plain object, then its entries): the entries are the schema.
    typeMode: 'output',
    ignoreActions: ['finite'],
    // The file may hold keys the schema does not name (see above); the API refuses them.
    overrideSchema: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties !== false) return undefined;
      const { additionalProperties: _closed, ...open } = jsonSchema;
      return open;
    },
  });
  return rest;
}

/**
 * What electron-store checks on open and on every write: each key's JSON Schema. Keys a
 * (migrated) file lacks are filled in with their defaults before it opens.
 */
export function settingsJsonSchema(): Schema<SettingsData> {
  return Object.fromEntries(
    Object.entries(SETTINGS_ENTRIES).map(([key, schema]) => [key, keySchema(schema)]),
  );
}
