import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/** `npm run bench`: every `bench/*.bench.ts` (and the load generator) built for plain Node into out/bench. */
const benchDir = resolve(import.meta.dirname, 'bench');
const entries = {
  ...Object.fromEntries(
    readdirSync(benchDir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map((file) => [file.replace(/\.ts$/, ''), resolve(benchDir, file)]),
  ),
  // The export format worker, beside the benches as beside the app's entries (see format-pool.ts).
  'export-worker': resolve(import.meta.dirname, 'src/main/engine/export/export-worker.ts'),
};

export default defineConfig({
  build: {
    ssr: true,
    outDir: resolve(import.meta.dirname, 'out/bench'),
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: entries,
      external: [
        'ws',
        'electron',
        'playwright-core',
        /^@duckdb\//,
        ...builtinModules.flatMap((m) => [m, `node:${m}`]),
      ],
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
  ssr: { noExternal: true, external: ['ws', 'playwright-core', '@duckdb/node-api'] },
});
