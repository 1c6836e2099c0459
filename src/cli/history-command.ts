import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FilterSpec } from '../shared/filter';
import { filterError } from '../shared/filter';
import {
  createLineSink,
  createRedactor,
  HistoryReader,
  type ExportFormat,
  type LineSink,
} from '../main/engine';
import { DEFAULT_EXPORT_FORMAT, EXPORT_FORMAT_IDS, listInWords } from '../shared/export-formats';
import { UsageError, type CliCommand } from './cli-command';
import { parseCommandArgs, parseCountOption, parseFormatOption, STANDARD_STREAM } from './cli-options';
import { defaultDataDir, historyDirOf, parseTimeArg } from './history-options';
import { openOutput } from './output';

const usage = `Usage: hubwatch history [--data DIR] [--hub ID]... [--since T] [--until T]
                        [--filter EXPR] [--count N] [--format ${EXPORT_FORMAT_IDS.join('|')}] [--out FILE]
       hubwatch history [--data DIR] --stats

Writes the HubEvent records the history holds, oldest first (NDJSON to stdout by default).
It reads while \`hubwatch serve\`, the desktop app or \`hubwatch capture --history\` is writing.

  --data DIR     the data folder (holding history/) or a history folder itself
                 (default $XDG_DATA_HOME/hubwatch, else ~/.local/share/hubwatch)
  --hub ID       only this hub (repeatable)
  --since T      only events at or after T: ISO 8601 (2026-12-07T03:12:00Z) or a span
                 back from now (90s, 15m, 3h, 2d)
  --until T      only events at or before T (same forms)
  --filter EXPR  only events the field-predicate language accepts, as in the UI's filter
                 bar: message ~ /timeout/i, level == "error" && data.code >= 500, …
  --count N      stop after N events
  --format F     ${listInWords(EXPORT_FORMAT_IDS.map((id) => (id === DEFAULT_EXPORT_FORMAT ? `${id} (default)` : id)))}
  --out FILE     write to FILE instead of stdout (- is stdout)
  --stats        per hub: events, first and last time, size on disk (a share of the total)

Exits 0 when done, 2 for bad arguments, a bad filter, or a folder holding no history.`;

interface HistoryArgs {
  dir: string;
  spec: FilterSpec;
  count: number | null;
  format: ExportFormat;
  out: string | null;
  stats: boolean;
}

/** The history folder `--data` names: `DIR/history` when there is one, else DIR itself. */
function historyFolder(data: string): string {
  const nested = historyDirOf(data);
  if (existsSync(nested) && statSync(nested).isDirectory()) return nested;
  return data;
}

function parseHistoryArgs(argv: string[], now: number): HistoryArgs {
  const values = parseCommandArgs('history', argv, {
    data: { type: 'string' },
    hub: { type: 'string', multiple: true, default: [] },
    since: { type: 'string' },
    until: { type: 'string' },
    filter: { type: 'string' },
    count: { type: 'string' },
    format: { type: 'string', default: DEFAULT_EXPORT_FORMAT },
    out: { type: 'string' },
    stats: { type: 'boolean', default: false },
  });
  if (values.data === '') throw new UsageError('--data needs a folder');
  const data = resolve(values.data ?? defaultDataDir());
  if (!existsSync(data)) throw new UsageError(`no history at ${data}: the folder does not exist`);
  const count = parseCountOption(values.count);
  const format = parseFormatOption(values.format);
  const spec: FilterSpec = {};
  if (values.hub.length > 0) spec.hubs = values.hub;
  if (values.since !== undefined) spec.from = parseTimeArg('--since', values.since, now);
  if (values.until !== undefined) spec.to = parseTimeArg('--until', values.until, now);
  if (spec.from != null && spec.to != null && spec.from > spec.to)
    throw new UsageError('--since is after --until');
  if (values.filter !== undefined) {
    if (values.filter.trim() === '') throw new UsageError('--filter needs an expression');
    spec.where = values.filter;
    const problem = filterError(spec);
    if (problem) throw new UsageError(`--filter: ${problem.error}`);
  }
  return {
    dir: historyFolder(data),
    spec,
    count,
    format,
    out: values.out === undefined || values.out === STANDARD_STREAM ? null : values.out,
    stats: values.stats,
  };
}

/** `12.3 MB`: sizes in the stats table. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

async function writeStats(reader: HistoryReader): Promise<void> {
  const stats = await reader.queries.hubStats();
  const total = await reader.diskBytes();
  const all = stats.reduce((sum, hub) => sum + hub.events, 0);
  const rows = [
    ['HUB', 'EVENTS', 'FIRST', 'LAST', 'SIZE'],
    ...stats.map((hub) => [
      hub.hub,
      String(hub.events),
      new Date(hub.first).toISOString(),
      new Date(hub.last).toISOString(),
      // Files hold many hubs: a hub's size is its share of the rows.
      formatBytes(all === 0 ? 0 : Math.round((total * hub.events) / all)),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  lines.push(
    `${all} events in ${stats.length} hub${stats.length === 1 ? '' : 's'}, ${formatBytes(total)} on disk`,
  );
  process.stdout.write(lines.join('\n') + '\n');
}

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'write the stored events of the history (or --stats)',
  usage,
  async run(argv) {
    const options = parseHistoryArgs(argv, Date.now());
    let reader: HistoryReader;
    try {
      reader = await HistoryReader.open(options.dir);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    try {
      if (options.stats) {
        await writeStats(reader);
        return 0;
      }
      const output = options.out ? await openOutput(options.out) : process.stdout;
      let closed = false;
      output.on('error', () => (closed = true));
      // The history keeps what the hosts stored; known secrets were replaced before it was written.
      const sink: LineSink = createLineSink(output, options.format, createRedactor([]), {
        flushIntervalMs: 100,
      });
      const control = options.count === null ? {} : { limit: options.count };
      for await (const batch of reader.queries.records(options.spec, control)) {
        if (closed) break;
        sink.write(batch);
      }
      try {
        if (options.out) await sink.end();
        else await sink.finish();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      }
      return 0;
    } finally {
      reader.close();
    }
  },
};
