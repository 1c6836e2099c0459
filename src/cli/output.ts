import { createWriteStream, type WriteStream } from 'node:fs';
import { UsageError } from './cli-command';

/** Opens a file to write a command's output to; one that cannot be written is a usage error. */
export function openOutput(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path, { flags: 'w' });
    stream.once('open', () => resolve(stream));
    stream.once('error', (error) => reject(new UsageError(`cannot write ${path}: ${error.message}`)));
  });
}
