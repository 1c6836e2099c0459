/**
 * The built-in demo hub, run in-process for the first-run demo: started on request (the
 * UI's "Try the demo", or `--demo`), started again on the next launch when its hubs are
 * still configured, and closed on quit.
 *
 * The demo's credentials are published defaults, not secrets, but they still never go
 * into the settings file: its hubs refer to them as `{ "secret": "demo/<hub>/<field>" }`,
 * held in memory while the demo hub runs.
 */
import type { HubConfig } from '../shared/hub-config';
import type { DemoHub } from '../demo-hub/demo-hub';
import { withoutInlineSecrets } from './settings';

/** Starts a demo hub (the real `startDemoHub`; tests may pass their own). */
export type StartDemoHub = (options: { port: number }) => Promise<DemoHub>;

export interface DemoControllerOptions {
  start: StartDemoHub;
  /** Holds a demo credential under a fixed reference, in memory. */
  keepSecret(ref: string, value: string): void;
}

/** `url` moved to another host:port when it points at `from`'s (`ws:` URLs follow their `http:` origin). */
function rebase(url: string, from: URL, to: URL): string {
  try {
    const parsed = new URL(url);
    if (parsed.host !== from.host) return url;
    parsed.host = to.host;
    return parsed.toString();
  } catch {
    return url;
  }
}

export class DemoController {
  private hub: DemoHub | null = null;
  private starting: Promise<HubConfig[]> | null = null;

  constructor(private readonly options: DemoControllerOptions) {}

  running(): boolean {
    return this.hub !== null;
  }

  /** Where the running demo hub listens, or null. */
  origin(): string | null {
    return this.hub ? new URL(this.hub.url).origin : null;
  }

  /**
   * Starts the demo hub (once; later calls get the same hubs), preferring `port` and
   * taking any free one when it is busy. Resolves with its hubs, secrets by reference.
   */
  start(port = 0): Promise<HubConfig[]> {
    this.starting ??= this.launch(port).catch((error: unknown) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  private async launch(port: number): Promise<HubConfig[]> {
    let hub: DemoHub;
    try {
      hub = await this.options.start({ port });
    } catch (error) {
      if (port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      hub = await this.options.start({ port: 0 });
    }
    this.hub = hub;
    return this.configs();
  }

  /** The running demo's hubs with their credentials replaced by in-memory references. */
  private configs(): HubConfig[] {
    if (!this.hub) return [];
    return withoutInlineSecrets(this.hub.config().hubs, (hubId, field, value) => {
      const ref = `demo/${hubId}/${field}`;
      this.options.keepSecret(ref, value);
      return ref;
    }).hubs;
  }

  /**
   * Starts the demo again for hubs saved while it ran at `savedOrigin`: on the same port
   * when it is free, else on another, with the saved hubs' URLs moved to it.
   */
  async restore(savedOrigin: string, hubs: readonly HubConfig[]): Promise<HubConfig[]> {
    const saved = new URL(savedOrigin);
    await this.start(Number(saved.port) || 0);
    const now = this.origin();
    if (!now || now === saved.origin) return [...hubs];
    const target = new URL(now);
    return hubs.map((hub) => ({
      ...hub,
      url: rebase(hub.url, saved, target),
      ...(hub.pollUrl !== undefined ? { pollUrl: rebase(hub.pollUrl, saved, target) } : {}),
    }));
  }

  async close(): Promise<void> {
    const hub = this.hub;
    this.hub = null;
    this.starting = null;
    await hub?.close();
  }
}
