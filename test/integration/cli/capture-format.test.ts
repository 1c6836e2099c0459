/** `hubwatch capture --format`: its choices, help and errors come from the format descriptors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT_IDS } from '../../../src/shared/export-formats';
import { runCli } from '../../support/cli';

describe('hubwatch capture --format', () => {
  it('lists every format in its help, the default first', async () => {
    const help = await runCli(['capture', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`[--format ${EXPORT_FORMAT_IDS.join('|')}]`);
    expect(help.stdout).toContain('--format F        ndjson (default), csv or text\n');
  });

  it('names the formats in the summary of every command', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/capture\s+connect hubs and write their events \(NDJSON, CSV or text\)/);
  });

  it('refuses an unknown format with exit 2, naming every format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubwatch-capture-format-'));
    const config = join(dir, 'hubs.json');
    writeFileSync(
      config,
      JSON.stringify({ hubs: [{ id: 'h', dialect: 'generic', url: 'http://127.0.0.1:1/events' }] }),
    );
    const run = await runCli(['capture', '--config', config, '--format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--format must be ndjson, csv or text, got json');
  });
});
