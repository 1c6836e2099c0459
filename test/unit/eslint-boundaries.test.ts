/**
 * The architecture's boundaries are lint errors: each "never" arrow fires on an import that
 * crosses it, with a message naming the arrow, and the imports a layer is allowed pass. The
 * rules are the ones eslint.config.js spreads in (eslint.boundaries.js); the code is linted
 * as if it were a file of each layer, so the imports resolve to the real files of the repo.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** A repo-root JavaScript module (no type declarations), with the type we read it as. */
async function rootModule<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(join(root, file)).href)) as T;
}

let boundaries: Linter.Config[] = [];
let eslint: ESLint;

beforeAll(async () => {
  ({ boundaries } = await rootModule<{ boundaries: Linter.Config[] }>('eslint.boundaries.js'));
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    // Only the parsers and the boundary rules: the type-checked rules need files on disk.
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...svelte.configs.base,
      { files: ['**/*.svelte'], languageOptions: { parserOptions: { parser: tseslint.parser } } },
      ...boundaries,
    ],
  });
});

/** The errors ESLint reports for `code` as the file `file` (repo-relative). */
async function errorsIn(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.map((message) => `${message.ruleId ?? 'fatal'}: ${message.message}`);
}

/** File, code, and what the one error must say. */
type Violation = [file: string, code: string, arrow: string];

const violations: Violation[] = [
  ['src/renderer/src/lib/probe.ts', "import { Engine } from '../../../main/engine';", 'renderer → main'],
  [
    'src/renderer/src/lib/probe.ts',
    "import { loadSettings } from '../../../main/settings';",
    'renderer → main',
  ],
  [
    'src/renderer/src/components/Probe.svelte',
    '<script lang="ts">\n  import { Engine } from \'../../../main/engine/engine\';\n  void Engine;\n</script>\n',
    'renderer → main',
  ],
  ['src/preload/probe.ts', "import { Engine } from '../main/engine';", 'preload → engine'],
  ['src/preload/probe.ts', "import type { HubRing } from '../main/engine/store/store';", 'preload → engine'],
  ['src/main/engine/probe.ts', "import { UsageError } from '../../cli/cli-command';", 'engine → cli'],
  [
    'src/main/engine/export/probe.ts',
    "import { startDemoHub } from '../../../demo-hub/demo-hub';",
    'engine → demo-hub',
  ],
  [
    'src/main/engine/workspace/probe.ts',
    "import { SettingsStore } from '../../settings';",
    'engine → Electron shell',
  ],
  ['src/main/engine/probe.ts', "import { app } from 'electron';", 'engine, CLI or demo hub → Electron'],
  ['src/cli/probe.ts', "import { app } from 'electron';", 'engine, CLI or demo hub → Electron'],
  ['src/demo-hub/probe.ts', "import { Engine } from '../main/engine';", 'demo-hub → engine'],
  ['src/demo-hub/probe.ts', "import { gapMarker } from '../main/engine/event-record';", 'demo-hub → engine'],
  ['src/shared/probe.ts', "import type { Engine } from '../main/engine';", 'shared → outside shared'],
  [
    'src/shared/probe.ts',
    "import { formatBytes } from '../renderer/src/lib/format';",
    'shared → outside shared',
  ],
  ['src/shared/probe.ts', "import { readFileSync } from 'node:fs';", 'shared → a package or Node built-in'],
  ['src/shared/probe.ts', "import WebSocket from 'ws';", 'shared → a package or Node built-in'],
  ['src/shared/probe.ts', "import { app } from 'electron';", 'shared → a package or Node built-in'],
  ['src/cli/probe.ts', "import { EventStore } from '../main/engine/store/store';", "engine's door"],
  [
    'src/cli/serve/probe.ts',
    "import type { Workspace } from '../../main/engine/workspace/workspace';",
    "engine's door",
  ],
  ['src/main/probe.ts', "import { AlertEngine } from './engine/pipeline/alerts';", "engine's door"],
  ['bench/probe.bench.ts', "import { Engine } from '../src/main/engine/engine';", "engine's door"],
  ['src/main/engine/store/probe.ts', "import { packBatch } from '../export/packed-batch';", 'store → export'],
  [
    'src/main/engine/transports/probe.ts',
    "import { EventStore } from '../store/store';",
    'transports → store',
  ],
  [
    'src/main/engine/dialects/probe.ts',
    "import { exportToFile } from '../export/file-export';",
    'dialects → export',
  ],
  [
    'src/main/engine/pipeline/probe.ts',
    "import { Workspace } from '../workspace/workspace';",
    'pipeline → workspace',
  ],
  ['src/main/engine/export/probe.ts', "import { Engine } from '../engine';", 'export → engine'],
  [
    'src/main/engine/probe.ts',
    "import { Workspace } from './workspace/workspace';",
    'engine root → workspace',
  ],
  ['src/main/engine/workspace/probe.ts', "import { Engine } from '../index';", 'index.ts is the door'],
];

/** File and code that import only what the file's layer may. */
const allowed: [file: string, code: string][] = [
  ['src/renderer/src/lib/probe.ts', "import type { HubEvent } from '../../../shared/hub-event';"],
  [
    'src/preload/probe.ts',
    "import { contextBridge } from 'electron';\nimport { IPC_CALL_CHANNEL } from '../shared/ipc-channels';",
  ],
  ['src/shared/probe.ts', "import type { HubEvent } from './hub-event';\nimport * as v from 'valibot';"],
  [
    'src/cli/probe.ts',
    "import { Engine } from '../main/engine';\nimport { startDemoHub } from '../demo-hub/demo-hub';",
  ],
  ['src/main/probe.ts', "import { app } from 'electron';\nimport { Workspace } from './engine';"],
  ['bench/probe.bench.ts', "import { Engine } from '../src/main/engine';"],
  ['test/unit/probe.test.ts', "import { EventStore } from '../../src/main/engine/store/store';"],
  [
    'src/main/engine/export/probe.ts',
    "import { EventStore } from '../store/store';\nimport { createRedactor } from '../redaction';",
  ],
  [
    'src/main/engine/workspace/probe.ts',
    "import { Engine } from '../engine';\nimport { exportToFile } from '../export/file-export';",
  ],
];

describe('the architecture boundaries', () => {
  it('are the rules eslint.config.js applies', async () => {
    const { default: config } = await rootModule<{ default: Linter.Config[] }>('eslint.config.js');
    expect(boundaries.length).toBeGreaterThan(0);
    for (const rule of boundaries) expect(config).toContainEqual(rule);
  });

  it.each(violations)('refuse in %s: %s', async (file, code, arrow) => {
    const errors = await errorsIn(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(arrow);
  });

  it.each(allowed)('let through in %s: %s', async (file, code) => {
    expect(await errorsIn(file, code)).toEqual([]);
  });
});
