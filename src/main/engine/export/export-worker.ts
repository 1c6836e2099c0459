/**
 * The export format worker (a separate entry of every build, see format-pool.ts): formats
 * the packed batches it is sent, with redaction, and sends each back as UTF-8 bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  formatPackedBatch,
  type FormatReply,
  type FormatRequest,
  type FormatWorkerSetup,
} from './format-pool';
import { formatterFor } from './formats';
import { createRedactor } from '../redaction';

const port = parentPort;
if (port === null) throw new Error('export-worker runs as a worker thread');
const setup = workerData as FormatWorkerSetup;
const formatter = formatterFor(setup.format, createRedactor(setup.secretValues, { scrub: setup.scrub }));

port.on('message', (request: FormatRequest) => {
  let reply: FormatReply;
  try {
    const bytes = formatPackedBatch(request.batch, formatter);
    reply = { id: request.id, bytes };
    port.postMessage(reply, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
