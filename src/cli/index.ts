/**
 * The `hubwatch` command: the engine without Electron.
 *   hubwatch capture   — connect hubs and write their events
 *   hubwatch demo-hub  — run the simulator of all five hub kinds
 *   hubwatch history   — write the stored history's events
 *   hubwatch serve     — serve the UI to a browser on loopback
 */
import { UsageError, type CliCommand } from './cli-command';
import { captureCommand } from './capture-command';
import { demoHubCommand } from './demo-hub-command';
import { historyCommand } from './history-command';
import { serveCommand } from './serve-command';
import { VERSION } from '../shared/version';

const commands: CliCommand[] = [captureCommand, demoHubCommand, historyCommand, serveCommand];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `hubwatch ${VERSION} — watch SSE and WebSocket event hubs`,
    '',
    'Usage: hubwatch <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `hubwatch help <command>` or `hubwatch <command> --help` for the options of a command.',
  ].join('\n');
}

/** `hubwatch help [command]`: the same text as `hubwatch --help` or `hubwatch <command> --help`. */
function help(topic: string | undefined): number {
  if (topic === undefined) {
    process.stdout.write(mainHelp() + '\n');
    return 0;
  }
  const command = commands.find((c) => c.name === topic);
  if (!command) {
    process.stderr.write(`hubwatch help: unknown command '${topic}' (see hubwatch --help)\n`);
    return 2;
  }
  process.stdout.write(command.usage + '\n');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Nothing asked for is a mistake, not a request for help: usage on stderr, exit 2.
    process.stderr.write(mainHelp() + '\n');
    return 2;
  }
  if (name === '--help' || name === '-h') return help(undefined);
  if (name === 'help') return help(rest[0]);
  if (name === '--version' || name === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`hubwatch: unknown command '${name}'\n\n${mainHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) return help(command.name);
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`hubwatch ${command.name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `hubwatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
