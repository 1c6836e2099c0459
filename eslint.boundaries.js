/**
 * The architecture's "never" arrows (docs/architecture.md) as ESLint errors, so the
 * build refuses an import that crosses a boundary instead of a reviewer having to notice.
 * eslint.config.js spreads `boundaries` in; test/unit/eslint-boundaries.test.ts proves that
 * each rule fires, with the config taken from here.
 *
 * Paths are resolved, not matched as text: `import-x/no-restricted-paths` resolves every
 * relative import to its file and checks the file's folder, so `../../main/engine/store/store`
 * is caught from any depth. Package and Node built-in imports are checked by name with
 * ESLint's own `no-restricted-imports`.
 */
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const SEE = 'See docs/architecture.md#the-never-arrows.';
const ENGINE = 'src/main/engine';

/** Zones of `import-x/no-restricted-paths`: files in `target` may not import from `from` (but `except`). */
const layerZones = [
  {
    target: 'src/renderer',
    from: 'src/main',
    message: `Arrow broken: renderer → main. The UI reaches the engine and the shell only through the contract (src/shared/api.ts) and its backend object. ${SEE}`,
  },
  {
    target: 'src/preload',
    from: ENGINE,
    message: `Arrow broken: preload → engine. The preload only exposes the contract over IPC; the engine stays in the main process. ${SEE}`,
  },
  {
    target: ENGINE,
    from: 'src/cli',
    message: `Arrow broken: engine → cli. The CLI drives the engine, never the other way round. ${SEE}`,
  },
  {
    target: ENGINE,
    from: 'src/demo-hub',
    message: `Arrow broken: engine → demo-hub. The engine knows hubs only through their config; the demo hub is one of them. ${SEE}`,
  },
  {
    target: ENGINE,
    from: 'src/main',
    except: ['./engine'],
    message: `Arrow broken: engine → Electron shell. The engine runs without Electron (CLI, serve, tests); the shell wires it to Electron. ${SEE}`,
  },
  {
    target: 'src/demo-hub',
    from: ENGINE,
    message: `Arrow broken: demo-hub → engine. The simulator speaks the hubs' wire protocols on its own, so it can test the engine. ${SEE}`,
  },
  {
    target: 'src/shared',
    from: 'src',
    except: ['./shared'],
    message: `Arrow broken: shared → outside shared. The contract is pure types and constants that every layer imports; it imports only itself. ${SEE}`,
  },
  {
    target: 'src/shared',
    from: ['test', 'bench', 'scripts'],
    message: `Arrow broken: shared → outside shared. The contract is pure types and constants that every layer imports; it imports only itself. ${SEE}`,
  },
  {
    target: ['src/cli', 'src/main/*.ts', 'bench'],
    from: ENGINE,
    except: ['./index.ts'],
    message: `The engine's door: the CLI, the shell and the benchmarks import the engine only through src/main/engine/index.ts (export what you need there). ${SEE}`,
  },
  {
    target: ENGINE,
    from: `${ENGINE}/index.ts`,
    message: `Inside the engine, import the module itself: index.ts is the door for the layers outside it.`,
  },
];

/**
 * The engine's rooms and the rooms each may import (besides its own files and the files at
 * the engine's root: event-record, event-id, secrets, redaction). Imports go downwards only:
 * store and transports at the bottom; pipeline on the store; dialects on the transports;
 * export reads the store; engine.ts composes those; workspace, the application layer, sits
 * on top. A later persistent history (`history/`) joins as a room of its own.
 */
export const ENGINE_ROOMS = {
  store: [],
  transports: [],
  pipeline: ['store'],
  dialects: ['transports'],
  export: ['store'],
  history: ['store', 'export'],
  workspace: ['store', 'pipeline', 'transports', 'dialects', 'export', 'history', 'engine.ts'],
};

const ROOM_ORDER =
  'store and transports at the bottom, then pipeline, dialects and export, history, engine.ts, and workspace on top';

const roomZones = Object.entries(ENGINE_ROOMS).flatMap(([room, allowed]) =>
  [...Object.keys(ENGINE_ROOMS), 'engine.ts']
    .filter((other) => other !== room && !allowed.includes(other))
    .map((other) => ({
      target: `${ENGINE}/${room}`,
      from: `${ENGINE}/${other}`,
      message: `Engine layering broken: ${room} → ${other.replace(/\.ts$/, '')}. The engine's rooms import downwards only (${ROOM_ORDER}).`,
    })),
);

/** The files at the engine's root, the door aside, stay below the application layer. */
const rootZone = {
  target: `${ENGINE}/!(index).ts`,
  from: `${ENGINE}/workspace`,
  message: `Engine layering broken: engine root → workspace. The workspace is the application layer on top of the engine (${ROOM_ORDER}).`,
};

const electronMessage = `Arrow broken: engine, CLI or demo hub → Electron. These run without Electron (the \`hubwatch\` command, serve, tests); only the shell and the preload import it. ${SEE}`;

/** Layers that must run without Electron: the `electron` package by name. */
const electronFree = {
  paths: [{ name: 'electron', message: electronMessage }],
  patterns: [{ group: ['electron/*'], message: electronMessage }],
};

/** The contract imports no package and no Node built-in (valibot, pure and runtime-free, is its schema library). */
const sharedImports = {
  patterns: [
    {
      regex: '^(?!\\.{1,2}/|valibot(?:/|$))',
      message: `Arrow broken: shared → a package or Node built-in. The contract is pure types and constants (no Node, DOM or Electron) that the renderer and the preload import too. ${SEE}`,
    },
  ],
};

/** The boundary rules, as flat config objects (eslint.config.js spreads them in). */
export const boundaries = [
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs,svelte}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.mts', '.svelte', '.js', '.mjs', '.json'] }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: import.meta.dirname, zones: [...layerZones, ...roomZones, rootZone] },
      ],
    },
  },
  {
    files: [`${ENGINE}/**`, 'src/cli/**', 'src/demo-hub/**'],
    rules: { 'no-restricted-imports': ['error', electronFree] },
  },
  {
    files: ['src/shared/**'],
    rules: { 'no-restricted-imports': ['error', sharedImports] },
  },
];
