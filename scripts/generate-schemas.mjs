#!/usr/bin/env node
/**
 * `npm run schemas`: writes `hubwatch.schema.json` (the JSON Schema of a hub config file)
 * from its valibot schema in src/shared/hub-config-schema.ts. Run it after changing that
 * schema and commit the result; test/unit/shared/hub-config-json-schema.test.ts fails while
 * the committed file is out of date. `--check` only says whether it is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');

// The schema is TypeScript: vite's module runner loads it as the build would.
const { module } = await runnerImport(join(root, 'src/main/hub-config-json-schema.ts'), {
  configFile: false,
  logLevel: 'error',
});
const file = join(root, module.HUB_CONFIG_JSON_SCHEMA_FILE);
const text = module.hubConfigJsonSchemaText();
let current = null;
try {
  current = readFileSync(file, 'utf8');
} catch {
  // Not written yet.
}
if (current === text) {
  console.log(`${module.HUB_CONFIG_JSON_SCHEMA_FILE} is up to date`);
} else if (check) {
  console.error(`${module.HUB_CONFIG_JSON_SCHEMA_FILE} is out of date: run npm run schemas`);
  process.exit(1);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${module.HUB_CONFIG_JSON_SCHEMA_FILE}`);
}
