import { resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/**
 * The `hubwatch` command: ESM for Node, with everything but `ws` bundled so the command
 * starts fast and never needs the Electron binary.
 */
export default defineConfig({
  build: {
    ssr: true,
    outDir: resolve(import.meta.dirname, 'out/cli'),
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rolldownOptions: {
      // The export format worker is its own entry, built beside hubwatch.js (see format-pool.ts).
      input: {
        hubwatch: resolve(import.meta.dirname, 'src/cli/index.ts'),
        'export-worker': resolve(import.meta.dirname, 'src/main/engine/export/export-worker.ts'),
      },
      // DuckDB loads its native binary from its own package folder: never bundled.
      external: ['ws', 'electron', /^@duckdb\//, ...builtinModules.flatMap((m) => [m, `node:${m}`])],
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
  ssr: { noExternal: true, external: ['ws', '@duckdb/node-api'] },
});
