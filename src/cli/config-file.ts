import { readFileSync } from 'node:fs';
import type { HubwatchConfig } from '../shared/hub-config';
import { formatConfigIssues, validateConfig } from '../shared/config-validation';
import { UsageError } from './cli-command';

/** Reads and validates a hub config file; a bad one is refused as a whole, naming hub and field. */
export function loadConfigFile(path: string): HubwatchConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `config file ${path} does not exist`
        : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const result = validateConfig(json);
  if (!result.ok)
    throw new UsageError(`config file ${path} is invalid:\n${formatConfigIssues(result.errors)}`);
  return result.config;
}
