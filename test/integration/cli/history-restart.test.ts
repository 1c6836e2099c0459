/**
 * `hubwatch capture --history` killed with SIGKILL mid-stream and started again on the same
 * folder: the history opens, the hub resumes with its last *stored* event id, and every
 * event the server sent is stored exactly once. A hub whose events carry no id cannot
 * resume: the history says so with a gap marker. Real processes, a real SSE server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../../src/shared/hub-event';
import { BIN, ROOT, runCli } from '../../support/cli';

/** A numbered SSE stream (`id: N`, `data: {"n":N}`) that replays from Last-Event-ID + 1. */
interface NumberedServer {
  url: string;
  /** The Last-Event-ID of each request, in order (null: none). */
  resumes: (string | null)[];
  /** The highest number sent so far. */
  sent(): number;
  close(): Promise<void>;
}

async function startNumberedServer(options: { ids: boolean; perTick: number }): Promise<NumberedServer> {
  const resumes: (string | null)[] = [];
  let highest = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const last = req.headers['last-event-id'];
    resumes.push(typeof last === 'string' ? last : null);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    // Resumable: the next number after the client's; without an id the stream starts anew.
    let n = options.ids && typeof last === 'string' ? Number(last) : options.ids ? 0 : highest;
    const timer = setInterval(() => {
      let chunk = '';
      for (let i = 0; i < options.perTick; i++) {
        n++;
        highest = Math.max(highest, n);
        chunk += `${options.ids ? `id: ${n}\n` : ''}data: {"n":${n},"message":"event ${n}"}\n\n`;
      }
      res.write(chunk);
    }, 5);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    resumes,
    sent: () => highest,
    close: () => {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

function parseNdjson(text: string): HubEvent[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as HubEvent);
}

/** Starts a capture and SIGKILLs it once the server has sent `atLeast` events (and some time passed). */
function captureThenKill(args: string[], server: NumberedServer, atLeast: number): Promise<void> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const started = Date.now();
    const poll = setInterval(() => {
      // Past the journal's flush interval, so the history holds a good part of what was sent.
      if (server.sent() >= atLeast && Date.now() - started > 1500) {
        clearInterval(poll);
        child.kill('SIGKILL');
      }
    }, 20);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') done();
      else reject(new Error(`capture exited by itself (${code}) before it was killed:\n${stderr}`));
    });
  });
}

let server: NumberedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('a capture with --history killed with SIGKILL and started again', () => {
  it('stores every event of a resumable hub exactly once, resuming with the last stored id', async () => {
    server = await startNumberedServer({ ids: true, perTick: 40 });
    const dir = mkdtempSync(join(tmpdir(), 'hubwatch-kill-'));
    const config = join(dir, 'hubs.json');
    writeFileSync(config, JSON.stringify({ hubs: [{ id: 'numbers', dialect: 'generic', url: server.url }] }));
    const history = join(dir, 'history');

    await captureThenKill(['capture', '--config', config, '--history', history, '--quiet'], server, 5000);
    const afterKill = await runCli(['history', '--data', history]);
    expect(afterKill.code).toBe(0);
    const stored = parseNdjson(afterKill.stdout).filter((event) => event.source !== 'hubwatch');
    expect(stored.length).toBeGreaterThan(0);
    const lastStored = stored.at(-1)!;

    const second = await runCli(
      [
        'capture',
        '--config',
        config,
        '--history',
        history,
        '--count',
        '3000',
        '--out',
        join(dir, 'second.ndjson'),
      ],
      { timeoutMs: 60_000 },
    );
    expect(second.code, second.stderr).toBe(0);
    // The second process asked for what came after the last event that reached the disk.
    expect(server.resumes.at(-1)).toBe(lastStored.id);

    const all = parseNdjson((await runCli(['history', '--data', history])).stdout);
    const numbers = all.filter((event) => event.source !== 'hubwatch').map((event) => Number(event.id));
    const highest = Math.max(...numbers);
    expect(numbers.length).toBe(highest);
    expect(new Set(numbers).size).toBe(highest);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    // Sequence numbers go on after the restart, never reused.
    const seqs = all.map((event) => event.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(all.filter((event) => event.source === 'hubwatch')).toEqual([]);
  }, 90_000);

  it('writes a gap marker for a hub whose events carry no id', async () => {
    server = await startNumberedServer({ ids: false, perTick: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'hubwatch-kill-'));
    const config = join(dir, 'hubs.json');
    writeFileSync(config, JSON.stringify({ hubs: [{ id: 'plain', dialect: 'generic', url: server.url }] }));
    const history = join(dir, 'history');

    await captureThenKill(['capture', '--config', config, '--history', history, '--quiet'], server, 200);
    const second = await runCli([
      'capture',
      '--config',
      config,
      '--history',
      history,
      '--count',
      '50',
      '--quiet',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(server.resumes).toEqual([null, null]);

    const all = parseNdjson((await runCli(['history', '--data', history])).stdout);
    const markers = all.filter((event) => event.source === 'hubwatch');
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ hub: 'plain', event: 'gap', level: 'warn' });
    expect(markers[0]!.message).toMatch(/may be missing/);
    // The marker sits between the two runs: after the first run's events, before the second's.
    const at = all.indexOf(markers[0]!);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(all.length - 1);
  }, 90_000);
});
