import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './cli-command';
import {
  EXPORT_FORMAT_IDS,
  isExportFormatId,
  listInWords,
  type ExportFormatId,
} from '../shared/export-formats';

/** The argument `--config` and `--out` take for stdin and stdout, as most Unix tools do. */
export const STANDARD_STREAM = '-';

/** Node's parseArgs error codes, which `node:util` does not export as types. */
interface ParseArgsError extends Error {
  code?: string;
}

/**
 * Node's own wording ("Unknown option '--foo'. To specify a positional argument starting
 * with a '-', …") explains parseArgs rather than the command; this says what is wrong and
 * where the command's options are listed.
 */
function describeParseError(error: ParseArgsError): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? error.message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted === undefined ? error.message : `'${quoted}'`}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "Option '--config <value>' argument missing", "Option '--scrub' does not take an argument".
      const option = quoted?.split(' ')[0];
      if (option && /argument missing/.test(error.message)) return `${option} needs a value`;
      if (option && /does not take an argument/.test(error.message)) return `${option} takes no value`;
      return error.message.replace(/\.$/, '');
    }
    default:
      return error.message;
  }
}

/**
 * Parses a subcommand's arguments strictly (no positionals, only the given options). A
 * mistake becomes a UsageError that names it and points to `hubwatch <command> --help`.
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  options: O,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const parseError = error as ParseArgsError;
    if (!parseError.code?.startsWith('ERR_PARSE_ARGS_')) throw error;
    throw new UsageError(`${describeParseError(parseError)} (see hubwatch ${command} --help)`, {
      cause: error,
    });
  }
}

/**
 * The value of a `--port` option: an integer from 0 (any free port) to 65535, or `fallback`
 * when the option is absent. Blank text is refused: `Number('')` is 0, which would
 * silently listen on a random port.
 */
export function parsePortOption(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be an integer from 0 to 65535, not '${text}'`);
  return port;
}

/** `--count N`: a positive whole number, or null when absent. */
export function parseCountOption(text: string | undefined): number | null {
  if (text === undefined) return null;
  const count = Number(text);
  if (text.trim() === '' || !Number.isInteger(count) || count <= 0)
    throw new UsageError(`--count must be a positive whole number, got ${text}`);
  return count;
}

/** `--format F`: one of the export formats (export-formats.ts). */
export function parseFormatOption(text: string): ExportFormatId {
  if (!isExportFormatId(text))
    throw new UsageError(`--format must be ${listInWords(EXPORT_FORMAT_IDS)}, got ${text}`);
  return text;
}
