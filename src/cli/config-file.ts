import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import type { HubwatchConfig } from '../shared/hub-config';
import { formatConfigIssues, validateConfig } from '../shared/config-validation';
import { UsageError } from './cli-command';
import { STANDARD_STREAM } from './cli-options';

/** Reads the config's text: from stdin for `-`, else from the file. */
async function readConfigText(path: string): Promise<string> {
  if (path === STANDARD_STREAM) {
    try {
      return await text(process.stdin);
    } catch (error) {
      throw new UsageError(`cannot read the config from stdin: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `config file ${path} does not exist`
        : `cannot read ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Reads and validates a hub config, from a file or, for `-`, from stdin (to the end); a bad
 * one is refused as a whole, naming hub and field.
 */
export async function loadConfigFile(path: string): Promise<HubwatchConfig> {
  const source = path === STANDARD_STREAM ? 'the config on stdin' : `config file ${path}`;
  const content = await readConfigText(path);
  let json: unknown;
  try {
    json = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const result = validateConfig(json);
  if (!result.ok) throw new UsageError(`${source} is invalid:\n${formatConfigIssues(result.errors)}`);
  return result.config;
}
