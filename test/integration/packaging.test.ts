import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const runtimeDependencies = Object.keys(packageJson.dependencies);

/** The built JavaScript that ships: the desktop app's main and preload, and the CLI. */
function builtFiles(): { name: string; code: string }[] {
  return ['out/main', 'out/preload', 'out/cli'].flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => /\.[cm]?js$/.test(name))
      .map((name) => ({ name: `${dir}/${name}`, code: readFileSync(join(root, dir, name), 'utf8') })),
  );
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Packages a built file loads at runtime: bare `import … from`, `import()` and `require()`. */
function importedPackages(code: string): Set<string> {
  const specifiers = [
    ...code.matchAll(/^import\s+(?:[^;"']*?\s+from\s+)?["']([^"']+)["']/gm),
    // Not code that only writes a require into generated source (ajv's standalone mode).
    ...code.matchAll(/(?<![`"'\w.])(?:import|require)\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]!);
  return new Set(
    specifiers
      .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'))
      .filter((s) => !builtinModules.includes(s))
      .map(packageOf),
  );
}

/** Packages the bundler inlined: it marks each module it copies in with its path. */
function bundledPackages(code: string): Set<string> {
  return new Set(
    [...code.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((match) => match[1]!),
  );
}

describe('the build, as electron-builder packages it', () => {
  it('imports at runtime only Electron, Node and the runtime dependencies', () => {
    const imported = new Set<string>();
    for (const { name, code } of builtFiles()) {
      for (const pkg of importedPackages(code)) {
        imported.add(pkg);
        expect(['electron', ...runtimeDependencies], `${name} imports ${pkg}`).toContain(pkg);
      }
    }
    // The check sees what it looks for.
    expect([...imported]).toEqual(expect.arrayContaining(['electron', 'ws']));
  });

  it('bundles no runtime dependency, which would ship twice (in the bundle and in node_modules)', () => {
    const bundled = new Set(builtFiles().flatMap(({ code }) => [...bundledPackages(code)]));
    // Likewise: these two ESM-only packages are bundled into main.
    expect([...bundled]).toEqual(expect.arrayContaining(['electron-store', 'eventsource-parser']));
    for (const pkg of bundled) expect(runtimeDependencies, `${pkg} is bundled`).not.toContain(pkg);
  });
});
