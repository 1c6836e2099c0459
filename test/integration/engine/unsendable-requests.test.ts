import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import type { EngineEvent } from '../../../src/main/engine/event-record';
import { toHubEvent } from '../../../src/main/engine/event-record';
import { FAST } from '../../support/connection-harness';
import { sseHead, startTestServer, waitFor, type TestServer } from '../../support/sse-test-server';

/**
 * The server of one hub: an event whose `id:` holds `a<byte>b`, then (on the reconnect) one
 * more event, then 204 — the hub has ended, so a run of it finishes by itself.
 */
async function hubWithId(byte: number): Promise<TestServer> {
  return startTestServer({
    http: (_req, res, index) => {
      if (index === 0) {
        sseHead(res);
        res.end(`id: a${String.fromCharCode(byte)}b\ndata: {"n":1}\n\n`);
      } else if (index === 1) {
        sseHead(res);
        res.end('id: 2\ndata: {"n":2}\n\n');
      } else {
        res.writeHead(204).end();
      }
    },
  });
}

async function capture(server: TestServer): Promise<{ events: EngineEvent[]; engine: Engine }> {
  const engine = new Engine({ connection: FAST, batchDelayMs: 1 });
  const events: EngineEvent[] = [];
  engine.subscribe({ onEvents: (batch) => events.push(...batch) });
  engine.setHubs([{ id: 'ids', dialect: 'generic', url: `${server.url}/events` }]);
  engine.start();
  await waitFor(() => engine.hub('ids')?.state.state === 'ended', 'the hub to end');
  await engine.stop();
  return { events, engine };
}

const BYTES = [...Array.from({ length: 0x1f }, (_, i) => i + 1), 0x7f];
const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;

describe('an event id holding a control character', () => {
  it.each(BYTES.map((byte) => [hex(byte), byte] as const))(
    'with %s: the hub resumes when HTTP can carry the id, else reconnects without it and marks a gap',
    async (_name, byte) => {
      const server = await hubWithId(byte);
      try {
        const { events } = await capture(server);
        const real = events.filter((event) => !event.gap);
        const gaps = events.filter((event) => event.gap);
        // Every event arrived, in order, each once; the hub ended at the 204.
        expect(real.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }]);
        expect(server.requests).toHaveLength(3);
        const resumedWith = server.requests[1]!.lastEventId;
        if (byte === 0x0a || byte === 0x0d) {
          // A line break ends the `id:` line: the id is "a", and HTTP carries it.
          expect(real[0]!.id).toBe('a');
          expect(resumedWith).toBe('a');
          expect(gaps).toEqual([]);
        } else if (byte === 0x09) {
          // A tab is a legal header character: the id goes out as it came.
          expect(real[0]!.id).toBe('a\tb');
          expect(resumedWith).toBe('a\tb');
          expect(gaps).toEqual([]);
        } else {
          const id = `a${String.fromCharCode(byte)}b`;
          expect(real[0]!.id).toBe(id);
          expect(resumedWith).toBeNull();
          expect(gaps).toHaveLength(1);
          const marker = toHubEvent(gaps[0]!);
          expect(marker).toMatchObject({
            hub: 'ids',
            event: 'gap',
            level: 'warn',
            source: 'hubwatch',
            id: null,
            entity: null,
            data: null,
          });
          expect(marker.message).toContain(JSON.stringify(id));
          expect(marker.message).toContain('cannot be sent');
          expect(marker.message).toContain('may be missing');
          // The marker sits between the two events, with its own seq.
          expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
          expect(events[1]!.gap).toBe(true);
        }
      } finally {
        await server.close();
      }
    },
  );

  it('still resumes with a non-ASCII id, sent as its UTF-8 bytes', async () => {
    const server = await startTestServer({
      http: (_req, res, index) => {
        if (index === 0) {
          sseHead(res);
          res.end('id: é中😀\ndata: {"n":1}\n\n');
        } else if (index === 1) {
          sseHead(res);
          res.end('id: 2\ndata: {"n":2}\n\n');
        } else {
          res.writeHead(204).end();
        }
      },
    });
    try {
      const { events } = await capture(server);
      expect(server.requests[1]!.lastEventId).toBe('é中😀');
      expect(events.filter((event) => event.gap)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('a request the HTTP client refuses to send', () => {
  it('fails an SSE hub with a clear reason when a configured header cannot be sent, instead of retrying it', async () => {
    const server = await startTestServer({
      http: (_req, res) => {
        sseHead(res);
        res.end('data: {}\n\n');
      },
    });
    try {
      const engine = new Engine({ connection: FAST });
      engine.setHubs([
        { id: 'bad', dialect: 'generic', url: `${server.url}/events`, headers: { 'X-Team': 'ops\u0001' } },
      ]);
      engine.start();
      await waitFor(() => engine.hub('bad')?.state.state === 'failed', 'the hub to fail');
      const state = engine.hub('bad')!.state;
      expect(state).toMatchObject({ state: 'failed', reason: 'bad_config' });
      expect(state.state === 'failed' ? state.detail : '').toMatch(/X-Team.*U\+0001/);
      expect(server.requests).toHaveLength(0);
      expect(engine.hub('bad')!.stats.reconnects).toBe(0);
      await engine.stop();
    } finally {
      await server.close();
    }
  });

  it('fails a WebSocket hub the same way, before the upgrade', async () => {
    const server = await startTestServer({ ws: (socket) => socket.send('{}') });
    try {
      const engine = new Engine({ connection: FAST });
      engine.setHubs([
        { id: 'ws', dialect: 'generic', url: `${server.wsUrl}/ws`, headers: { 'X-Team': 'ops\u007f' } },
      ]);
      engine.start();
      await waitFor(() => engine.hub('ws')?.state.state === 'failed', 'the hub to fail');
      const state = engine.hub('ws')!.state;
      expect(state).toMatchObject({ state: 'failed', reason: 'bad_config' });
      expect(state.state === 'failed' ? state.detail : '').toMatch(/X-Team.*U\+007F/);
      expect(server.upgrades).toHaveLength(0);
      await engine.stop();
    } finally {
      await server.close();
    }
  });

  it('fails an rdev hub whose command cannot be started because its key cannot be sent', async () => {
    const server = await startTestServer({ http: (_req, res) => res.writeHead(500).end() });
    try {
      const engine = new Engine({ connection: FAST });
      engine.setHubs([
        {
          id: 'build',
          dialect: 'rdev',
          url: server.url,
          project: 'p',
          command: 'make',
          auth: { type: 'header', name: 'X-API-Key', value: 'sekrit\u0002' },
        },
      ]);
      engine.start();
      await waitFor(() => engine.hub('build')?.state.state === 'failed', 'the hub to fail');
      const state = engine.hub('build')!.state;
      expect(state).toMatchObject({ state: 'failed', reason: 'bad_config' });
      expect(state.state === 'failed' ? state.detail : '').toMatch(
        /starting the command.*X-API-Key.*U\+0002/,
      );
      // Named, never shown: the value is a credential.
      expect(state.state === 'failed' ? state.detail : '').not.toContain('sekrit');
      expect(server.requests).toHaveLength(0);
      await engine.stop();
    } finally {
      await server.close();
    }
  });
});
