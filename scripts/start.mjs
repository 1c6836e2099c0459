#!/usr/bin/env node
/**
 * `npm start`: builds, then opens the desktop app. Where Electron's binary is missing
 * (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or a machine that cannot download it),
 * says so in one line and serves the same UI to a browser on the built-in demo hub.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const forward = (child) => {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
};

const electron = electronBinary();
if (electron && process.env.HUBWATCH_BROWSER !== '1') {
  forward(spawn(electron, ['.'], { cwd: root, stdio: 'inherit' }));
} else {
  console.log(
    "Electron's binary is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD); starting the browser UI on the demo hub instead.",
  );
  forward(spawn(process.execPath, ['bin/hubwatch.js', 'serve', '--demo'], { cwd: root, stdio: 'inherit' }));
}
