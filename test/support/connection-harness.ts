import { afterEach } from 'vitest';
import { HubConnection, type HubConnectionOptions } from '../../src/main/engine/transports/hub-connection';
import type { StreamPlan } from '../../src/main/engine/transports/types';
import type { TransportKind } from '../../src/shared/hub-config';
import {
  RecordingListener,
  startTestServer,
  type HttpHandler,
  type TestServer,
  type TestServerOptions,
} from './sse-test-server';

/** Backoff fast and without jitter, so reconnects take milliseconds. */
export const FAST: HubConnectionOptions = { backoffBaseMs: 5, backoffCapMs: 10, random: () => 0 };

/**
 * Servers, plans and connections for one test file's transport tests; everything started
 * through it is stopped after each test (connections before the servers they talk to).
 */
export function connectionHarness(transport: TransportKind) {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    cleanups,
    async server(options: TestServerOptions | HttpHandler): Promise<TestServer> {
      const started = await startTestServer(typeof options === 'function' ? { http: options } : options);
      cleanups.push(() => started.close());
      return started;
    },
    plan(url: string, extra: Partial<StreamPlan> = {}, headers: Record<string, string> = {}): StreamPlan {
      return { transport, silenceTimeoutMs: 0, prepare: () => Promise.resolve({ url, headers }), ...extra };
    },
    connect(
      streamPlan: StreamPlan,
      options: HubConnectionOptions = FAST,
    ): { connection: HubConnection; listener: RecordingListener } {
      const listener = new RecordingListener();
      const connection = new HubConnection(streamPlan, listener, options);
      cleanups.push(() => connection.stop());
      connection.start();
      return { connection, listener };
    },
  };
}
