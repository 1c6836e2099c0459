#!/usr/bin/env node
// The `hubwatch` command. The real code is built by `npm run build` into out/cli.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../out/cli/hubwatch.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('hubwatch: not built yet — run `npm run build` first.\n');
  process.exit(1);
}
await import(entry);
