/** One `hubwatch` subcommand. */
export interface CliCommand {
  name: string;
  /** One line for `hubwatch --help`. */
  summary: string;
  /** Full usage text for `hubwatch <name> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A bad argument or config: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
