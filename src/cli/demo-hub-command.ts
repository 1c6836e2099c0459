import { UsageError, type CliCommand } from './cli-command';

/** `hubwatch demo-hub` — landing with its issue; until then it says so. */
export const demoHubCommand: CliCommand = {
  name: 'demo-hub',
  summary: 'not built yet',
  usage: 'hubwatch demo-hub: not built yet',
  run() {
    return Promise.reject(new UsageError('this command is not built yet'));
  },
};
