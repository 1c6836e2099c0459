/**
 * Every test file gets its own data folder: `hubwatch serve` and the desktop app keep a
 * history there by default ($XDG_DATA_HOME/hubwatch), and tests must neither share one
 * with each other nor touch the operator's own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.XDG_DATA_HOME = mkdtempSync(join(tmpdir(), 'hubwatch-data-'));
