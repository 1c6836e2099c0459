/**
 * The rdev remote shell (seed 003): `POST /projects/{id}/shell {"command"}` starts a
 * simulated command and answers `{"data": {"id": <stream id>, …}}`; `GET
 * /projects/{id}/events?stream_id=` streams its events with SSE ids 1, 2, 3…: `connected`,
 * `output {line, stream}`, `heartbeat`, `error {message}`, `complete {exit_code,
 * duration_ms}`, then the response ends. Each command's events are stored, so a request
 * with `Last-Event-ID: N` gets only what came after N, then the rest live.
 */
import { sendError, sendJson, sendMethodNotAllowed, readBody } from './http-responses';
import type { FrameSource, NextFrame, StreamFrame } from './frame-source';
import type { HubContext, RoutedRequest } from './hub-context';
import { deriveSeed, SeededRandom } from './random';
import { scriptFor } from './rdev-commands';
import type { StreamSettings } from './stream-settings';

/** One entry of a command's schedule, before it gets its id. */
interface PlannedEvent {
  atMs: number;
  event: 'connected' | 'output' | 'error' | 'heartbeat' | 'complete';
  /** Built when the event happens, so wall-clock fields (heartbeat `timestamp`) are current. */
  data: () => unknown;
}

/** Finished commands kept for replay; beyond this the oldest finished ones are forgotten. */
const MAX_STORED_COMMANDS = 1000;

/**
 * A running or finished command: its schedule, and the events that have happened so far
 * (the log every subscriber reads from). It runs on the hub's clock, independent of any
 * subscriber, and survives a hub restart.
 */
export class SimulatedCommand {
  readonly log: StreamFrame[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;

  constructor(
    readonly id: string,
    readonly project: string,
    readonly command: string,
    readonly createdAt: number,
    private readonly plan: readonly PlannedEvent[],
  ) {}

  get done(): boolean {
    return this.next >= this.plan.length;
  }

  /** Starts the clock: the `connected` event happens at once. */
  start(): void {
    this.advance();
  }

  /** Stops the clock for good (hub closed). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Calls `listener` whenever events are appended; returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private advance(): void {
    this.timer = undefined;
    const elapsed = performance.now() - this.startedAt;
    let appended = false;
    for (
      let planned = this.plan[this.next];
      planned && planned.atMs <= elapsed;
      planned = this.plan[this.next]
    ) {
      this.next += 1;
      this.log.push({
        id: String(this.log.length + 1),
        event: planned.event,
        data: JSON.stringify(planned.data()),
      });
      appended = true;
    }
    if (appended) for (const listener of [...this.listeners]) listener();
    const upcoming = this.plan[this.next];
    if (upcoming) this.timer = setTimeout(() => this.advance(), Math.max(0, upcoming.atMs - elapsed));
  }
}

/**
 * The schedule of one command: `connected`, the script's output and errors, heartbeats
 * every `heartbeatMs` of real time while it runs, and `complete`. Script times are divided
 * by `speed`.
 */
export function planCommand(
  streamId: string,
  project: string,
  command: string,
  settings: StreamSettings,
): PlannedEvent[] {
  const random = new SeededRandom(deriveSeed(settings.seed, `rdev ${command}`));
  const script = scriptFor(command, project, random);
  const at = (ms: number): number => Math.round(ms / settings.speed);
  const completeAt = at(script.durationMs);
  const events: PlannedEvent[] = [
    { atMs: 0, event: 'connected', data: () => ({ stream_id: streamId, project_id: project, command }) },
  ];
  for (const step of script.steps) {
    events.push(
      step.event === 'output'
        ? { atMs: at(step.atMs), event: 'output', data: () => ({ line: step.line, stream: step.stream }) }
        : { atMs: at(step.atMs), event: 'error', data: () => ({ message: step.message }) },
    );
  }
  for (let t = settings.heartbeatMs; t < completeAt; t += settings.heartbeatMs) {
    events.push({ atMs: t, event: 'heartbeat', data: () => ({ timestamp: new Date().toISOString() }) });
  }
  events.push({
    atMs: completeAt,
    event: 'complete',
    data: () => ({ exit_code: script.exitCode, duration_ms: completeAt }),
  });
  // Stable sort: on a tie the script's own order holds and heartbeats come after output.
  return events.sort((a, b) => a.atMs - b.atMs);
}

/** One subscriber's view of a command's log, starting after the events it already has. */
class CommandLogSource implements FrameSource {
  constructor(
    private readonly command: SimulatedCommand,
    private cursor: number,
  ) {}

  next(): NextFrame {
    if (this.cursor < this.command.log.length) return { dueMs: 0 };
    return this.command.done ? 'end' : 'wait';
  }

  take(): StreamFrame | null {
    const frame = this.command.log[this.cursor];
    if (frame) this.cursor += 1;
    return frame ?? null;
  }

  subscribe(listener: () => void): () => void {
    return this.command.subscribe(listener);
  }
}

/** How many stored events a `Last-Event-ID` says the client has (ids are 1, 2, 3…). */
function eventsAlreadySeen(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return 0;
  return Number(value.trim());
}

/** Routes of rdev under `/rdev`. */
export class Rdev {
  private readonly commands = new Map<string, SimulatedCommand>();
  private counter = 0;

  constructor(private readonly context: HubContext) {}

  /** `POST /rdev/projects/{project}/shell`. */
  async shell(routed: RoutedRequest, project: string): Promise<void> {
    const { req, res } = routed;
    if (req.method !== 'POST') return sendMethodNotAllowed(res, req.method ?? '?', ['POST']);
    if (!this.authorized(routed)) return;
    const settings = this.context.settingsFor(routed, sendError);
    if (!settings) return;
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      return sendError(res, 400, 'invalid_body', `the body must be JSON: ${(error as Error).message}`);
    }
    const command =
      typeof body === 'object' && body !== null ? (body as { command?: unknown }).command : undefined;
    if (typeof command !== 'string' || command.trim() === '') {
      return sendError(res, 400, 'command_required', 'the body needs a non-empty "command" string');
    }
    this.counter += 1;
    const id = `cmd-${String(this.counter).padStart(3, '0')}`;
    const simulated = new SimulatedCommand(
      id,
      project,
      command,
      Date.now(),
      planCommand(id, project, command, settings),
    );
    this.remember(simulated);
    simulated.start();
    sendJson(res, 201, {
      data: {
        id,
        project_id: project,
        command,
        status: 'running',
        created_at: new Date(simulated.createdAt).toISOString(),
      },
    });
  }

  /** `GET /rdev/projects/{project}/events?stream_id=`. */
  events(routed: RoutedRequest, project: string): void {
    const { req, res, url } = routed;
    if (req.method !== 'GET') return sendMethodNotAllowed(res, req.method ?? '?', ['GET']);
    const settings = this.context.settingsFor(routed, sendError);
    if (!settings || this.context.injectFailure(routed, settings, sendError)) return;
    if (!this.authorized(routed)) return;
    const streamId = url.searchParams.get('stream_id');
    if (!streamId)
      return sendError(res, 400, 'stream_id_required', 'the stream_id query parameter is required');
    const command = this.commands.get(streamId);
    if (!command || command.project !== project) {
      return sendError(res, 404, 'stream_not_found', `no stream '${streamId}' in project '${project}'`);
    }
    const seen = eventsAlreadySeen(req.headers['last-event-id']);
    this.context.streamSse(routed, settings, new CommandLogSource(command, seen));
  }

  /** Stops every command's clock (hub closed). */
  close(): void {
    for (const command of this.commands.values()) command.stop();
  }

  private remember(command: SimulatedCommand): void {
    this.commands.set(command.id, command);
    if (this.commands.size <= MAX_STORED_COMMANDS) return;
    for (const [id, stored] of this.commands) {
      if (stored.done) {
        this.commands.delete(id);
        return;
      }
    }
  }

  private authorized({ req, res }: RoutedRequest): boolean {
    const key = req.headers['x-api-key'];
    if (key === this.context.credentials.rdevApiKey) return true;
    const message = key === undefined ? 'missing X-API-Key header' : 'invalid API key';
    sendError(res, 401, 'unauthorized', message);
    return false;
  }
}
