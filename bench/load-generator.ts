/**
 * A dedicated load generator for the benchmarks, run in its own process so it does not
 * share a core with what is measured: an SSE server that streams bot-hub-shaped `log`
 * events of about 250 bytes, with increasing ids, on `/hub/<n>`.
 *
 *   node out/bench/load-generator.js [--rate EVENTS_PER_S_PER_STREAM] [--size BYTES] [--total N]
 *
 * Prints `{"port": P}` on stdout when listening. `--rate 0` (default) sends as fast as
 * each connection takes (honouring backpressure). On SIGTERM, or `GET /stats`, reports how
 * many events each stream sent.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sseLogFrame } from './frames';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '0' },
    size: { type: 'string', default: '250' },
    batch: { type: 'string', default: '500' },
    total: { type: 'string', default: '0' },
  },
});
const ratePerStream = Number(values.rate);
const targetSize = Number(values.size);
const batchSize = Number(values.batch);

const sent = new Map<string, number>();

const total = Number(values.total);

function stream(path: string, res: ServerResponse, startId: number): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.socket?.setNoDelay(true);
  let id = startId;
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  const writeBatch = (wanted: number): boolean => {
    const count = total > 0 ? Math.min(wanted, total - id) : wanted;
    if (count <= 0) return true;
    const stamp = Date.now();
    let chunk = '';
    for (let i = 0; i < count; i++) chunk += sseLogFrame(++id, stamp, targetSize);
    sent.set(path, id);
    return res.write(chunk);
  };
  const done = () => total > 0 && id >= total;
  if (ratePerStream <= 0) {
    // As fast as the connection takes it; with --total, then idle (the stream stays open).
    const pump = () => {
      while (!closed && !done()) {
        if (!writeBatch(batchSize)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
    return;
  }
  // Paced: a batch every tick, sized to keep the average rate.
  const started = Date.now();
  let due = 0;
  const timer = setInterval(() => {
    if (closed) {
      clearInterval(timer);
      return;
    }
    const shouldHave = Math.floor(((Date.now() - started) / 1000) * ratePerStream);
    const count = shouldHave - due;
    if (count > 0) {
      due = shouldHave;
      writeBatch(count);
    }
  }, 5);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(Object.fromEntries(sent)));
    return;
  }
  if (url.pathname.startsWith('/hub/')) {
    const last = Number(req.headers['last-event-id'] ?? '0');
    stream(url.pathname, res, Number.isFinite(last) ? last : 0);
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
