/**
 * Loads a renderer `.svelte.ts` module (Svelte 5 runes) into a unit test without a DOM:
 * strips its types, compiles it with Svelte's compiler for the client runtime, and
 * imports the result. Relative imports are rewritten to absolute paths; imported
 * `.svelte.ts` modules are compiled the same way. `$state` and `$derived` then behave as
 * they do in the browser (the stores keep `$effect`s out, in components).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { compileModule } from 'svelte/compiler';

const OUT_DIR = resolve(import.meta.dirname, '../../../../test-results/rune-modules');
const compiled = new Map<string, string>();

function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`rune-modules: cannot resolve ${specifier} from ${from}`);
}

function compileFile(path: string): string {
  const known = compiled.get(path);
  if (known) return known;
  const source = readFileSync(path, 'utf8');
  const javascript = stripTypeScriptTypes(source, { mode: 'strip' });
  const output = compileModule(javascript, {
    filename: path.replace(/\.ts$/, '.js'),
    generate: 'client',
    dev: false,
  }).js.code;
  const rewritten = output.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g,
    (_match, lead: string, quote: string, specifier: string) => {
      const target = resolveRelative(path, specifier);
      const replacement = target.endsWith('.svelte.ts') ? compileFile(target) : target;
      return `${lead}${quote}${replacement}${quote}`;
    },
  );
  mkdirSync(OUT_DIR, { recursive: true });
  const hash = createHash('sha256').update(path).update(rewritten).digest('hex').slice(0, 12);
  const file = resolve(OUT_DIR, `${basename(path, '.ts')}-${hash}.js`);
  writeFileSync(file, rewritten);
  compiled.set(path, file);
  return file;
}

/** Imports a `.svelte.ts` module of the renderer, compiled for the client runtime. */
export async function importRuneModule<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ compileFile(path))) as T;
}

/** Absolute path of a renderer source file, from `src/renderer/src`. */
export function rendererPath(relative: string): string {
  return resolve(import.meta.dirname, '../../../../src/renderer/src', relative);
}
