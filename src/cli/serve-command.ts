import { UsageError, type CliCommand } from './cli-command';

/** `hubwatch serve` — landing with its issue; until then it says so. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'not built yet',
  usage: 'hubwatch serve: not built yet',
  run() {
    return Promise.reject(new UsageError('this command is not built yet'));
  },
};
