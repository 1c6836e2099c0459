#!/usr/bin/env node
/**
 * `npm start`: builds, then opens the desktop app. Where Electron's binary is missing
 * (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or a machine that cannot download it),
 * says so in one line and serves the same UI to a browser on the built-in demo hub.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

/**
 * The Electron executable, or null when it is not installed. Reads the package's
 * path.txt instead of requiring `electron`, which would try to download the binary.
 */
function electronBinary() {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const relative = readFileSync(pathFile, 'utf8').trim();
    const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist');
    const binary = join(dist, relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const forward = (child) => {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
};

// `npm start -- --flag` reaches the app. The demo hub starts at once, so a newcomer sees live data.
const extra = process.argv.slice(2);
const electron = electronBinary();
if (electron && process.env.HUBWATCH_BROWSER !== '1') {
  forward(spawn(electron, ['.', '--demo', ...extra], { cwd: root, stdio: 'inherit' }));
} else {
  console.log(
    "Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): opening the same UI in your browser instead, on the demo hub.",
  );
  forward(
    spawn(process.execPath, ['bin/hubwatch.js', 'serve', '--demo', ...extra], {
      cwd: root,
      stdio: 'inherit',
    }),
  );
}
