import type { ParseArgsOptionDescriptor } from 'node:util';
import { UsageError, type CliCommand } from './cli-command';
import { parseCommandArgs, parsePortOption } from './cli-options';
import { demoHubConfig, DEMO_RDEV_PROJECT, DEMO_TASK_IDS } from '../demo-hub/demo-config';
import {
  DEFAULT_DEMO_PORT,
  demoHubUrl,
  startDemoHub,
  type DemoHub,
  type DemoHubOptions,
} from '../demo-hub/demo-hub';
import { KNOWN_COMMANDS } from '../demo-hub/rdev-commands';
import {
  cloneSettings,
  DEFAULT_STREAM_SETTINGS,
  KnobError,
  KNOBS,
  parseKnobValue,
  type StreamSettings,
} from '../demo-hub/stream-settings';

const knobLines = KNOBS.map((knob) => {
  const flag = `--${knob.flag}${knob.type.kind === 'boolean' ? '' : ' V'}`;
  return `  ${flag.padEnd(22)} ${knob.description}  [?${knob.query}=]`;
});

const USAGE = [
  'Usage: hubwatch demo-hub [--port P] [--host H] [--rate R] [--seed S] [fault flags…] [--print-config]',
  '',
  'Runs a simulator of all five hub kinds (bot-hub, protocube, evoclaw, rdev, backendai) on one',
  'port. Writes a ready Hubwatch config for it to stdout (`hubwatch demo-hub > demo.json`) and',
  'the listening URL, paths and credentials to stderr. Ctrl-C stops it.',
  '',
  'Options:',
  `  --port P               port to listen on (default ${DEFAULT_DEMO_PORT}; 0 = any free port)`,
  '  --host H               address to listen on (default 127.0.0.1)',
  '  --print-config         write the config for --port and exit without serving',
  '',
  'Scenario knobs, for every stream (the [?name=] query parameter sets one for a single request):',
  ...knobLines,
  '',
  'Simulated rdev commands:',
  ...KNOWN_COMMANDS.map((line) => `  ${line}`),
].join('\n');

const options: Record<string, ParseArgsOptionDescriptor> = {
  port: { type: 'string' },
  host: { type: 'string' },
  'print-config': { type: 'boolean' },
};
for (const knob of KNOBS) options[knob.flag] = { type: knob.type.kind === 'boolean' ? 'boolean' : 'string' };

interface ParsedArgs {
  port: number;
  host: string;
  printConfig: boolean;
  settings: StreamSettings;
}

function parse(argv: string[]): ParsedArgs {
  const values: Record<string, string | boolean | (string | boolean)[] | undefined> = parseCommandArgs(
    'demo-hub',
    argv,
    options,
  );
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const port = parsePortOption(text('port'), DEFAULT_DEMO_PORT);
  const host = text('host') ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  const settings = cloneSettings(DEFAULT_STREAM_SETTINGS);
  for (const knob of KNOBS) {
    const value = values[knob.flag];
    if (value === undefined) continue;
    try {
      const parsed =
        typeof value === 'boolean' ? value : parseKnobValue(knob, String(value), `--${knob.flag}`);
      knob.apply(settings, parsed);
    } catch (error) {
      if (error instanceof KnobError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  }
  return { port, host, printConfig: values['print-config'] === true, settings };
}

function hubOptions({ port, host, settings }: ParsedArgs): DemoHubOptions {
  return {
    port,
    host,
    rate: settings.rate,
    seed: settings.seed,
    speed: settings.speed,
    heartbeatMs: settings.heartbeatMs,
    pingIntervalMs: settings.pingMs,
    faults: settings.faults,
  };
}

/** The human banner: where everything is and how to get in. */
function banner(hub: DemoHub, settings: StreamSettings): string {
  const base = hub.url;
  const ws = base.replace(/^http/, 'ws');
  const c = hub.credentials;
  // What differs from the defaults, as the flags that would set it (crlf is shown as --eol).
  const changed = KNOBS.filter(
    (knob) => knob.query !== 'crlf' && knob.query !== 'rate' && knob.query !== 'seed',
  )
    .filter((knob) => knob.read(settings) !== knob.read(DEFAULT_STREAM_SETTINGS))
    .map((knob) => `--${knob.flag}${knob.type.kind === 'boolean' ? '' : ` ${String(knob.read(settings))}`}`);
  return [
    `hubwatch demo-hub listening on ${base}`,
    '',
    `  bot-hub    GET  ${base}/bot-hub/events`,
    `             GET  ${base}/bot-hub/api/bots/bot-1   (bot-1, bot-2, bot-3)`,
    `             auth Authorization: Bearer ${c.botHubToken}   or ?token=${c.botHubToken}`,
    `  protocube  GET  ${base}/protocube/api/events`,
    `             WS   ${ws}/protocube/api/events/ws`,
    `             auth Authorization: Bearer ${c.protocubeToken}   (${c.protocubeUserToken} = no AppAdmin, 403)`,
    `  evoclaw    GET  ${base}/evoclaw/api/logs/stream   (no auth)`,
    `             GET  ${base}/evoclaw/api/status`,
    `  rdev       POST ${base}/rdev/projects/${DEMO_RDEV_PROJECT}/shell   {"command": "npm test"}`,
    `             GET  ${base}/rdev/projects/${DEMO_RDEV_PROJECT}/events?stream_id=<id from the POST>`,
    `             auth X-API-Key: ${c.rdevApiKey}`,
    `  backendai  GET  ${base}/backendai/events/session?sessionId=*&group=*`,
    `             GET  ${base}/backendai/events/background-task?taskId=<id>`,
    `             auth keypair ${c.backendAi.accessKey} / ${c.backendAi.secretKey} (signed, ${c.backendAi.apiVersion})`,
    `             tasks: ${DEMO_TASK_IDS.done} task_done, ${DEMO_TASK_IDS.failedTypo} tak_failed,`,
    `                    ${DEMO_TASK_IDS.failed} task_failed, ${DEMO_TASK_IDS.cancelled} task_cancelled,`,
    `                    ${DEMO_TASK_IDS.expired} expired (404)`,
    '',
    `  rate ${settings.rate}/s per stream, seed ${settings.seed}${changed.length > 0 ? `, ${changed.join(' ')}` : ''}`,
    '  Any stream also takes the knobs in its query string, e.g. ?rate=50&dropAfter=10 (see --help).',
    `  Try: curl -N -H 'Authorization: Bearer ${c.botHubToken}' ${base}/bot-hub/events`,
    '  The config is on stdout. Ctrl-C stops the hub.',
    '',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `hubwatch demo-hub`: runs the simulator of all five hub kinds and prints a config for it. */
export const demoHubCommand: CliCommand = {
  name: 'demo-hub',
  summary: 'run a simulator of all five hub kinds and print a config for it',
  usage: USAGE,
  async run(argv) {
    const args = parse(argv);
    if (args.printConfig) {
      if (args.port === 0) throw new UsageError('--print-config needs a fixed --port (not 0)');
      process.stdout.write(JSON.stringify(demoHubConfig(demoHubUrl(args.host, args.port)), null, 2) + '\n');
      return 0;
    }
    let hub: DemoHub;
    try {
      hub = await startDemoHub(hubOptions(args));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new UsageError(`port ${args.port} is already in use; pick another with --port`, {
          cause: error,
        });
      }
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
        throw new UsageError(`cannot listen on host '${args.host}'`, { cause: error });
      }
      if (error instanceof RangeError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
    const stopped = untilStopped();
    process.stdout.write(JSON.stringify(hub.config(), null, 2) + '\n');
    process.stderr.write(banner(hub, args.settings));
    await stopped;
    process.stderr.write('hubwatch demo-hub: stopping\n');
    await hub.close();
    return 0;
  },
};
