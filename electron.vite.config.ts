import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Three builds: main (ESM, with the ESM-only electron-store and eventsource-parser bundled in),
 * preload (one CommonJS file, as a sandboxed preload must be) and the Svelte renderer.
 */
export default defineConfig({
  main: {
    build: {
      // electron-vite externalizes `dependencies`; these two are devDependencies because they
      // are bundled (test/integration/packaging.test.ts), and stay bundled if one moves back.
      externalizeDeps: { exclude: ['electron-store', 'eventsource-parser'] },
      // The export format worker is its own entry, built beside index.js (see format-pool.ts).
      lib: {
        entry: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          'export-worker': resolve(import.meta.dirname, 'src/main/engine/export/export-worker.ts'),
        },
        formats: ['es'],
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      lib: { entry: resolve(import.meta.dirname, 'src/preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: 'index.cjs', codeSplitting: false } },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') })],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rolldownOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') },
    },
  },
});
