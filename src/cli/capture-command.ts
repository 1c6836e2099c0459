import { resolve } from 'node:path';
import type { Alert } from '../shared/alerts';
import { describeState } from '../shared/connection-state';
import {
  DEFAULT_EXPORT_FORMAT,
  EXPORT_FORMAT_IDS,
  exportFormatNouns,
  listInWords,
} from '../shared/export-formats';
import type { HubConfig } from '../shared/hub-config';
import {
  Engine,
  createLineSink,
  createRedactor,
  collectSecretValues,
  processEnvSecrets,
  resolveAuth,
  SecretResolutionError,
  type EngineEvent,
  type LineSink,
  type ExportFormat,
  History,
  type HistorySettings,
} from '../main/engine';
import { parseHistoryDays, parseHistoryMaxSize } from './history-options';
import { UsageError, type CliCommand } from './cli-command';
import { parseCommandArgs, parseCountOption, parseFormatOption, STANDARD_STREAM } from './cli-options';
import { loadConfigFile } from './config-file';
import { openOutput } from './output';

/** `--format`'s choices in the help, the default first: `ndjson (default), csv or text`. */
const formatChoices = listInWords(
  EXPORT_FORMAT_IDS.map((id) => (id === DEFAULT_EXPORT_FORMAT ? `${id} (default)` : id)),
);

const usage = `Usage: hubwatch capture --config FILE [--hub ID]... [--duration S] [--count N]
                        [--out FILE] [--format ${EXPORT_FORMAT_IDS.join('|')}] [--alerts FILE] [--scrub] [--quiet]
                        [--history DIR [--history-days D] [--history-max-size S]]

Connects the configured hubs and writes their events as they arrive (NDJSON HubEvent
records to stdout by default). Connection changes go to stderr.

  --config FILE     the hub config (JSON; see the README); - reads it from stdin
  --hub ID          capture only this hub (repeatable; default: every enabled hub)
  --duration S      stop after S seconds
  --count N         stop after N events (gap markers are written but not counted)
  --out FILE        write to FILE instead of stdout (- is stdout)
  --format F        ${formatChoices}
  --alerts FILE     write the alerts the default rules raise to FILE as NDJSON
  --scrub           also mask credential patterns (?token=, Bearer …, signatures) in
                    each event's data, not only in its message
  --quiet           no connection changes on stderr
  --history DIR     also keep every event in the history folder DIR (read it back with
                    \`hubwatch history --data DIR\`); a capture started again on the same
                    folder continues each hub's sequence numbers and resumes a resumable
                    hub from its last stored event id, so nothing is lost or stored twice
  --history-days D  with --history: delete history older than D days (default 7)
  --history-max-size S  with --history: keep it under S (e.g. 500MB; default 2GB)

Known secret values of the config are replaced by REDACTED in event content and on
stderr; hub ids, names, event names and entity ids are never changed.

Exits 0 when the duration or count is reached, on Ctrl-C or SIGTERM (after writing
everything received), or when every hub has ended for good (rdev complete, Backend.AI
server_close, 204, expired task); 1 when every hub stopped and one failed (e.g.
credentials rejected); 2 for bad arguments or config.`;

interface CaptureOptions {
  config: string;
  hubs: string[];
  durationMs: number | null;
  count: number | null;
  out: string | null;
  format: ExportFormat;
  alerts: string | null;
  scrub: boolean;
  quiet: boolean;
  history: HistorySettings | null;
}

function parseCaptureArgs(argv: string[]): CaptureOptions {
  const values = parseCommandArgs('capture', argv, {
    config: { type: 'string' },
    hub: { type: 'string', multiple: true, default: [] },
    duration: { type: 'string' },
    count: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string', default: DEFAULT_EXPORT_FORMAT },
    alerts: { type: 'string' },
    scrub: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    history: { type: 'string' },
    'history-days': { type: 'string' },
    'history-max-size': { type: 'string' },
  });
  if (!values.config) throw new UsageError('--config FILE is required');
  let durationMs: number | null = null;
  if (values.duration !== undefined) {
    const seconds = Number(values.duration);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new UsageError(`--duration must be a positive number of seconds, got ${values.duration}`);
    durationMs = seconds * 1000;
  }
  const count = parseCountOption(values.count);
  const format = parseFormatOption(values.format);
  if (values.history === undefined && (values['history-days'] ?? values['history-max-size']) !== undefined)
    throw new UsageError('--history-days and --history-max-size need --history DIR');
  if (values.history === '') throw new UsageError('--history needs a folder');
  return {
    config: values.config,
    hubs: values.hub,
    durationMs,
    count,
    out: values.out === undefined || values.out === STANDARD_STREAM ? null : values.out,
    format,
    alerts: values.alerts ?? null,
    scrub: values.scrub,
    quiet: values.quiet,
    history:
      values.history === undefined
        ? null
        : {
            dir: resolve(values.history),
            maxAgeMs: parseHistoryDays(values['history-days']),
            maxBytes: parseHistoryMaxSize(values['history-max-size']),
          },
  };
}

/** The hubs to capture: every enabled hub, or the ones named with --hub. */
function selectHubs(all: HubConfig[], wanted: string[]): HubConfig[] {
  if (all.length === 0) throw new UsageError('the config has no hubs');
  if (wanted.length === 0) {
    const enabled = all.filter((hub) => hub.enabled !== false);
    if (enabled.length === 0) throw new UsageError('every hub in the config is disabled');
    return enabled;
  }
  const known = new Set(all.map((hub) => hub.id));
  for (const id of wanted) {
    if (!known.has(id)) throw new UsageError(`no hub "${id}" in the config (hubs: ${[...known].join(', ')})`);
  }
  // --hub names a hub explicitly: it runs even when the config disables it.
  return all.filter((hub) => wanted.includes(hub.id)).map((hub) => ({ ...hub, enabled: true }));
}

/** Opens the capture's history; a folder another process writes, or one that cannot be made, is a usage error. */
async function openCaptureHistory(settings: HistorySettings): Promise<History> {
  try {
    return await History.open({
      dir: settings.dir,
      ...(settings.maxAgeMs !== undefined ? { maxAgeMs: settings.maxAgeMs } : {}),
      ...(settings.maxBytes !== undefined ? { maxBytes: settings.maxBytes } : {}),
      onNotice: (_level, message) => process.stderr.write(`hubwatch: history: ${message}\n`),
    });
  } catch (error) {
    throw new UsageError(`cannot open the history in ${settings.dir}: ${(error as Error).message}`);
  }
}

export const captureCommand: CliCommand = {
  name: 'capture',
  summary: `connect hubs and write their events (${exportFormatNouns()})`,
  usage,
  async run(argv) {
    const options = parseCaptureArgs(argv);
    const config = await loadConfigFile(options.config);
    const hubs = selectHubs(config.hubs, options.hubs);
    const secrets = processEnvSecrets();
    try {
      for (const hub of hubs) resolveAuth(hub, secrets);
    } catch (error) {
      if (error instanceof SecretResolutionError) throw new UsageError(error.message);
      throw error;
    }
    const redact = createRedactor(collectSecretValues({ hubs }, secrets), { scrub: options.scrub });
    // Connection changes and summaries name hubs: their ids and names are never redacted.
    const identity = hubs.flatMap((hub) => [hub.id, hub.name]);

    const output = options.out ? await openOutput(options.out) : process.stdout;
    const alertsOutput = options.alerts ? await openOutput(options.alerts) : null;
    const sink: LineSink = createLineSink(output, options.format, redact, { flushIntervalMs: 100 });
    /** Writes a line to stderr as it is: only for text built from redacted parts. */
    const logAsIs = (line: string) => {
      if (!options.quiet) process.stderr.write(`hubwatch: ${line}\n`);
    };
    const log = (line: string) => logAsIs(redact.text(line, identity));

    let written = 0;
    let stopping = false;
    let finish: (reason: string) => void = () => undefined;
    const finished = new Promise<string>((resolve) => {
      finish = resolve;
    });

    // An stdout closed by its reader (`| head`) ends the capture quietly.
    output.on('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'EPIPE' ? 'output closed' : `output failed: ${error.message}`),
    );

    const alertLines = new Map<string, Alert>();
    // The engine builds alerts from redacted parts (the message) and identity (hub, entity, event).
    const writeAlert = (alert: Alert) => alertsOutput?.write(JSON.stringify(alert) + '\n');

    const history = options.history ? await openCaptureHistory(options.history) : null;
    const engine = new Engine({ secrets, capacityPerHub: 0, batchDelayMs: 20, history });
    engine.subscribe({
      onEvents(batch: readonly EngineEvent[]) {
        if (options.count === null) {
          sink.write(batch);
          for (const event of batch) if (!event.gap) written++;
          return;
        }
        if (written >= options.count) return;
        // Exactly N events: the rest of the batch that reached the count is not written.
        let end = 0;
        while (end < batch.length && written < options.count) {
          if (!batch[end]!.gap) written++;
          end++;
        }
        sink.write(end === batch.length ? batch : batch.slice(0, end));
        if (written >= options.count) finish('count reached');
      },
      onState(hub, state) {
        if (stopping) return;
        log(`${hub}: ${describeState(state)}`);
        if (engine.allFinal()) finish('every hub has stopped');
      },
      onAlert(alert, isNew) {
        if (isNew) {
          logAsIs(`alert: ${alert.title}`);
          writeAlert(alert);
        } else {
          alertLines.set(alert.id, alert);
        }
      },
    });
    engine.setHubs(hubs);
    const started = Date.now();
    // Sequence numbers, entities, alerts and each hub's resume point continue from the history.
    await engine.restoreFromHistory();
    engine.start();

    const timer =
      options.durationMs !== null ? setTimeout(() => finish('duration reached'), options.durationMs) : null;
    const onSignal = (signal: string) => finish(`${signal} received`);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    const reason = await finished;
    stopping = true;
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.stop();
    await history?.close();
    // Coalesced alerts end with their final count.
    for (const alert of alertLines.values()) writeAlert(alert);
    const failed = engine.listHubs().filter((hub) => hub.state.state === 'failed');
    try {
      if (options.out) await sink.end();
      else await sink.finish();
      if (alertsOutput) await new Promise<void>((resolve) => alertsOutput.end(resolve));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(
      `${reason}: ${written} events from ${hubs.length} hub${hubs.length === 1 ? '' : 's'} in ${seconds} s`,
    );
    if (reason === 'every hub has stopped' && failed.length > 0) {
      log(`failed: ${failed.map((hub) => `${hub.config.id} (${describeState(hub.state)})`).join(', ')}`);
      return 1;
    }
    return 0;
  },
};
