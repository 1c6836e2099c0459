/**
 * Numbers a double cannot hold — `12345678901234567890`, `1e400` — and spellings it would
 * change (`-0`, `1.0`, `1E5`) reach export files byte for byte: a real SSE hub on loopback,
 * the workspace the UI exports through, and `hubwatch capture`, in NDJSON and in CSV.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServeHost, ExportShelf } from '../../../src/cli/serve/serve-host';
import { Workspace } from '../../../src/main/engine/workspace/workspace';
import type { ExportFormat, ExportProgress } from '../../../src/shared/api';
import type { HubConfig } from '../../../src/shared/hub-config';
import { runCli } from '../../support/cli';
import { sseHead, startTestServer, waitFor, type TestServer } from '../../support/sse-test-server';
import { parseCsv } from '../../unit/main/engine/export/export-records';

/** As the hub sends them; a reader through doubles would write 12345678901234567000 and null. */
const PAYLOADS = [
  '{"reading":"big","big":12345678901234567890,"huge":1e400}',
  '{"reading":"spellings","values":[-0,1.0,1E5,9007199254740993]}',
];

let hub: TestServer;
let dir: string;
let shelf: ExportShelf;
let workspace: Workspace;

function hubConfig(): HubConfig {
  return { id: 'numbers', dialect: 'generic', url: `${hub.url}/stream`, fields: { message: 'reading' } };
}

beforeAll(async () => {
  hub = await startTestServer({
    http: (_req, res) => {
      sseHead(res);
      // Both events, then the stream stays open: nothing reconnects or repeats.
      PAYLOADS.forEach((payload, index) => res.write(`id: ${index + 1}\ndata: ${payload}\n\n`));
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'hubwatch-exact-numbers-'));
  shelf = new ExportShelf();
  workspace = new Workspace(
    createServeHost(
      {
        hubs: [hubConfig()],
        configPath: null,
        startDemo: () => Promise.resolve([]),
        demoRunning: () => false,
        onError: () => undefined,
        exportWorker: null,
      },
      shelf,
    ),
  );
  await waitFor(() => (workspace.engine.hub('numbers')?.stats.events ?? 0) >= 2, 'both events', 10_000);
});

afterAll(async () => {
  await workspace?.close();
  shelf?.clear();
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Exports everything in `format` the way the UI's Export does, and reads the file. */
async function exportAll(format: ExportFormat): Promise<string> {
  let done: ExportProgress | null = null;
  const unsubscribe = workspace.subscribe({
    onExport: (progress) => {
      if (progress.state !== 'running') done = progress;
    },
  });
  try {
    await workspace.startExport({ format, filter: { hubs: ['numbers'] } });
    await waitFor(() => done !== null, `the ${format} export`, 10_000);
  } finally {
    unsubscribe();
  }
  const finished = done as ExportProgress | null;
  expect(finished?.state).toBe('done');
  return readFileSync(finished!.file!, 'utf8');
}

/** The NDJSON lines' payloads, as the bytes after `"data":`. */
function ndjsonPayloads(text: string): string[] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const at = line.indexOf(',"data":');
      expect(line.endsWith('}')).toBe(true);
      return line.slice(at + ',"data":'.length, -1);
    });
}

describe('an export from the workspace', () => {
  it('writes each payload into NDJSON byte for byte as the hub sent it', async () => {
    const text = await exportAll('ndjson');
    expect(ndjsonPayloads(text)).toEqual(PAYLOADS);
    expect(text).toContain('"big":12345678901234567890,"huge":1e400');
    expect(text).not.toContain('12345678901234567000');
  });

  it('writes each payload into the CSV data column byte for byte as the hub sent it', async () => {
    const text = await exportAll('csv');
    const rows = parseCsv(text);
    expect(rows.slice(1).map((row) => row[10])).toEqual(PAYLOADS);
    // RFC 4180 doubles the quotes; the digits stay as they were.
    expect(text).toContain('""big"":12345678901234567890,""huge"":1e400');
  });
});

describe('hubwatch capture', () => {
  it.each(['ndjson', 'csv'] as const)('writes the payloads byte for byte in %s', async (format) => {
    const config = join(dir, 'numbers.json');
    writeFileSync(config, JSON.stringify({ hubs: [hubConfig()] }));
    const out = join(dir, `capture.${format}`);
    const run = await runCli([
      'capture',
      '--config',
      config,
      '--count',
      '2',
      '--format',
      format,
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    const payloads =
      format === 'ndjson'
        ? ndjsonPayloads(text)
        : parseCsv(text)
            .slice(1)
            .map((row) => row[10]);
    expect(payloads).toEqual(PAYLOADS);
  });
});
