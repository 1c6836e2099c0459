import { UsageError, type CliCommand } from './cli-command';

/** `hubwatch capture` — landing with its issue; until then it says so. */
export const captureCommand: CliCommand = {
  name: 'capture',
  summary: 'not built yet',
  usage: 'hubwatch capture: not built yet',
  run() {
    return Promise.reject(new UsageError('this command is not built yet'));
  },
};
