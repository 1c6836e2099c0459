import { resolve } from 'node:path';
import type { HubConfig } from '../shared/hub-config';
import { bundledExportWorker, Workspace, type HistorySettings } from '../main/engine';
import { startDemoHub, type DemoHub } from '../demo-hub/demo-hub';
import { UsageError, type CliCommand } from './cli-command';
import { parseCommandArgs, parsePortOption, STANDARD_STREAM } from './cli-options';
import { loadConfigFile } from './config-file';
import { defaultDataDir, historyDirOf, parseHistoryDays, parseHistoryMaxSize } from './history-options';
import { createServeHost, ExportShelf } from './serve/serve-host';
import { startServeServer } from './serve/serve-server';

/** The port `hubwatch serve` tries first; a busy one falls back to any free port. */
export const DEFAULT_SERVE_PORT = 8780;

const usage = `Usage: hubwatch serve [--config FILE] [--port P] [--host H] [--demo]
                      [--data DIR | --no-history] [--history-days D] [--history-max-size S]

Serves the Hubwatch UI to a browser, with the engine behind it. Binds 127.0.0.1 unless
--host says otherwise, and prints a URL carrying a random access token: every request
without it is refused.

  --config FILE  hubs to connect (the hubwatch config format); hubs added or edited in
                 the browser are written back to it (secrets typed in the browser are
                 kept in memory only); - reads it from stdin, and nothing is written back
  --port P       port to listen on (default ${DEFAULT_SERVE_PORT}, or a free one if busy; 0 = any free port)
  --host H       address to bind (default 127.0.0.1); anything else exposes the UI on your network
  --demo         start the built-in demo hub and watch all of its hubs
  --data DIR     data folder; the history of every event is kept in DIR/history
                 (default $XDG_DATA_HOME/hubwatch, else ~/.local/share/hubwatch)
  --no-history   keep events in memory only (nothing is written)
  --history-days D      delete history older than D days (default 7)
  --history-max-size S  keep the history under S (e.g. 500MB, 2GB; default 2GB)

On start, each hub continues from its stored history: sequence numbers go on, entities
and alerts are rebuilt, and a resumable hub asks for what it missed (Last-Event-ID).
If the history cannot be opened or written, serving goes on in memory with a notice.`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the UI to a browser on loopback, with a token',
  usage,
  async run(argv) {
    const values = parseCommandArgs('serve', argv, {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      demo: { type: 'boolean', default: false },
      data: { type: 'string' },
      'no-history': { type: 'boolean', default: false },
      'history-days': { type: 'string' },
      'history-max-size': { type: 'string' },
    });
    const port = parsePortOption(values.port, DEFAULT_SERVE_PORT);
    if (values['no-history'] && values.data !== undefined)
      throw new UsageError('--data and --no-history cannot be used together');
    if (values.data === '') throw new UsageError('--data needs a folder');
    const history: HistorySettings | null = values['no-history']
      ? null
      : {
          dir: historyDirOf(resolve(values.data ?? defaultDataDir())),
          maxAgeMs: parseHistoryDays(values['history-days']),
          maxBytes: parseHistoryMaxSize(values['history-max-size']),
        };
    // A config read from stdin has no file to write the browser's edits back to.
    const configPath = values.config && values.config !== STANDARD_STREAM ? resolve(values.config) : null;
    const hubs: HubConfig[] = values.config ? (await loadConfigFile(configPath ?? values.config)).hubs : [];

    let demo: DemoHub | null = null;
    const startDemo = async (): Promise<HubConfig[]> => {
      demo ??= await startDemoHub({ port: 0 });
      return demo.config().hubs;
    };
    const shelf = new ExportShelf();
    const host = createServeHost(
      {
        hubs,
        configPath,
        startDemo,
        demoRunning: () => demo !== null,
        onError: (message) => process.stderr.write(`hubwatch serve: ${message}\n`),
        exportWorker: bundledExportWorker(import.meta.url),
      },
      shelf,
    );
    const workspace = await Workspace.open(host, {}, history);
    if (values.demo) await workspace.startDemo();

    const rendererDir = resolve(import.meta.dirname, '../renderer');
    let server;
    try {
      server = await startServeServer({ workspace, shelf, rendererDir, host: values.host, port });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && values.port === undefined) {
        server = await startServeServer({ workspace, shelf, rendererDir, host: values.host, port: 0 });
      } else {
        await workspace.close();
        throw new UsageError(`cannot listen on ${values.host}:${port}: ${(error as Error).message}`);
      }
    }
    process.stdout.write(`Hubwatch UI: ${server.openUrl}\n`);
    if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
      process.stderr.write(
        `hubwatch serve: listening on ${values.host}: anyone with the URL's token can use it.\n`,
      );
    }

    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await workspace.close();
    await (demo as DemoHub | null)?.close();
    shelf.clear();
    return 0;
  },
};
