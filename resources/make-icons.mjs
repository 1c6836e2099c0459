#!/usr/bin/env node
/**
 * Writes the app icon for the installers (electron-builder reads `resources/icon.png`) and
 * the tray's status dots, from the drawings in `src/main/icons.ts` — the running app draws
 * the same images in memory. Run with Node ≥ 22.18 (type stripping): `node resources/make-icons.mjs`.
 */
import { writeFileSync } from 'node:fs';
import { drawAppIcon, drawStatusIcon, encodePng } from '../src/main/icons.ts';

const here = new URL('.', import.meta.url);
writeFileSync(new URL('icon.png', here), encodePng(drawAppIcon(512)));
for (const level of ['ok', 'warn', 'error', 'idle']) {
  writeFileSync(new URL(`tray-${level}.png`, here), encodePng(drawStatusIcon(level, 32)));
}
