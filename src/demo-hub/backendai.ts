/**
 * The Backend.AI manager's event streams (seed 004), behind keypair auth:
 * - `GET /events/session?sessionId=&group=&ownerAccessKey=`: session lifecycle events
 *   `session_preparing/pulling/creating/started/terminated`, data `{sessionId,
 *   ownerAccessKey, reason}` plus `result` (UNDEFINED/SUCCESS/FAILURE) on termination.
 *   `*` (or leaving a filter out) means all.
 * - `GET /events/background-task?taskId=`: the task replayed from its start to every
 *   subscriber — `task_updated` progress, then `task_done` / `tak_failed` (the seed's typo)
 *   / `task_failed` / `task_cancelled`, then `server_close`, then the response ends.
 *   404 for an unknown or expired task.
 * Errors are `application/problem+json`, as the manager sends them.
 */
import type { ServerResponse } from 'node:http';
import { verifyBackendAiRequest, type Keypairs } from './backendai-auth';
import { DEMO_TASK_IDS } from './demo-config';
import { PacedSource, ScriptedSource, type FrameSource, type ScriptedFrame } from './frame-source';
import { sendMethodNotAllowed, sendProblem } from './http-responses';
import type { ErrorWriter, HubContext, RoutedRequest } from './hub-context';
import { deriveSeed, SeededRandom } from './random';
import type { StreamSettings } from './stream-settings';

export type SessionEventName =
  'session_preparing' | 'session_pulling' | 'session_creating' | 'session_started' | 'session_terminated';

export type SessionResult = 'UNDEFINED' | 'SUCCESS' | 'FAILURE';

/** The data of a session lifecycle event. */
export interface SessionEventData {
  sessionId: string;
  ownerAccessKey: string;
  reason: string | null;
  /** Only on `session_terminated`. */
  result?: SessionResult;
}

/** A session event with what the filters need but the wire does not carry. */
interface SessionEvent {
  name: SessionEventName;
  data: SessionEventData;
  group: string;
}

/** Problem documents in the manager's style; `code` becomes the `type` URI. */
export const writeProblem: ErrorWriter = (res: ServerResponse, status, code, message, headers) => {
  const titles: Record<number, string> = {
    400: 'Invalid API parameters.',
    401: 'Unauthorized access',
    404: 'Not found.',
    405: 'Method not allowed.',
    429: 'Too many requests.',
    500: 'Internal server error.',
    503: 'Service unavailable.',
  };
  sendProblem(
    res,
    status,
    { type: `https://api.backend.ai/probs/${code}`, title: titles[status] ?? 'Error', detail: message },
    headers,
  );
};

type Phase = 'new' | 'preparing' | 'pulling' | 'creating' | 'started' | 'terminated';

interface SimSession {
  sessionId: string;
  ownerAccessKey: string;
  group: string;
  batch: boolean;
  needsPull: boolean;
  phase: Phase;
}

const INTERACTIVE = ['jupyter', 'vscode', 'ttyd-shell'];
const BATCH = ['train-resnet50', 'etl-nightly', 'eval-llm', 'render-frames'];
const GROUPS = ['default', 'default', 'research'];
const OTHER_OWNERS = ['AKIAJUNHOSTUDENT0002', 'AKIAMINJIRESEARCH003'];
const MAX_ACTIVE = 3;

/**
 * Sessions going through their lifecycle, up to three at a time, the oldest usually moving
 * first. The first session is a batch job that pulls its image and fails, so every event
 * name and a FAILURE show within the first 20 seconds at the default rate.
 */
export class SessionLifecycles {
  private readonly random: SeededRandom;
  private readonly sessions: SimSession[] = [];
  private counter = 0;
  private terminatedCount = 0;

  constructor(
    seed: number,
    private readonly ownAccessKey: string,
  ) {
    this.random = new SeededRandom(seed);
  }

  next(): SessionEvent {
    const r = this.random;
    const active = this.sessions.filter((s) => s.phase !== 'terminated');
    // Until the first (batch) session has failed, interactive sessions wait before ending,
    // so the first termination is always the FAILURE. The first session stays movable.
    const movable =
      this.terminatedCount > 0 ? active : active.filter((s) => s.batch || s.phase !== 'started');
    const session =
      movable.length === 0 || (active.length < MAX_ACTIVE && r.chance(0.3))
        ? this.create()
        : r.chance(0.6)
          ? (movable[0] as SimSession)
          : r.pick(movable);
    return this.advance(session);
  }

  private create(): SimSession {
    const r = this.random;
    this.counter += 1;
    const first = this.counter === 1;
    const batch = first || r.chance(0.5);
    const session: SimSession = {
      sessionId: `${r.pick(batch ? BATCH : INTERACTIVE)}-${String(this.counter).padStart(2, '0')}`,
      ownerAccessKey: r.chance(0.6) ? this.ownAccessKey : r.pick(OTHER_OWNERS),
      group: r.pick(GROUPS),
      batch,
      needsPull: first || r.chance(0.6),
      phase: 'new',
    };
    this.sessions.push(session);
    // Forget sessions long gone, keeping memory flat on endless streams.
    if (this.sessions.length > 50) {
      const gone = this.sessions.findIndex((s) => s.phase === 'terminated');
      if (gone >= 0) this.sessions.splice(gone, 1);
    }
    return session;
  }

  private advance(s: SimSession): SessionEvent {
    const r = this.random;
    const event = (name: SessionEventName, reason: string | null, result?: SessionResult): SessionEvent => ({
      name,
      group: s.group,
      data: {
        sessionId: s.sessionId,
        ownerAccessKey: s.ownerAccessKey,
        reason,
        ...(result === undefined ? {} : { result }),
      },
    });
    switch (s.phase) {
      case 'new':
        s.phase = 'preparing';
        return event('session_preparing', 'scheduled');
      case 'preparing':
        if (s.needsPull) {
          s.phase = 'pulling';
          return event('session_pulling', 'image-not-present-on-agent');
        }
        s.phase = 'creating';
        return event('session_creating', '');
      case 'pulling':
        s.phase = 'creating';
        return event('session_creating', '');
      case 'creating':
        if (s.batch && this.terminatedCount > 0 && r.chance(0.08))
          return this.terminate(s, event, 'failed-to-start', 'FAILURE');
        s.phase = 'started';
        return event('session_started', null);
      case 'started':
      case 'terminated':
        if (!s.batch)
          return this.terminate(s, event, r.pick(['user-requested', 'idle-timeout']), 'UNDEFINED');
        // The very first termination is a failure, so a FAILURE shows early in every run.
        if (this.terminatedCount === 0 || r.chance(0.3))
          return this.terminate(s, event, 'task-failed', 'FAILURE');
        return this.terminate(s, event, 'task-finished', 'SUCCESS');
    }
  }

  private terminate(
    s: SimSession,
    event: (name: SessionEventName, reason: string | null, result?: SessionResult) => SessionEvent,
    reason: string,
    result: SessionResult,
  ): SessionEvent {
    s.phase = 'terminated';
    this.terminatedCount += 1;
    return event('session_terminated', reason, result);
  }
}

/** The filters of `/events/session`; `*` or absent means all. */
export interface SessionFilter {
  sessionId: string;
  group: string;
  ownerAccessKey: string | null;
}

export function sessionFilterFrom(params: URLSearchParams): SessionFilter {
  return {
    sessionId: params.get('sessionId') ?? params.get('sessionName') ?? '*',
    group: params.get('group') ?? '*',
    ownerAccessKey: params.get('ownerAccessKey'),
  };
}

function matches(filter: SessionFilter, event: SessionEvent): boolean {
  return (
    (filter.sessionId === '*' || filter.sessionId === event.data.sessionId) &&
    (filter.group === '*' || filter.group === event.group) &&
    (filter.ownerAccessKey === null ||
      filter.ownerAccessKey === '*' ||
      filter.ownerAccessKey === event.data.ownerAccessKey)
  );
}

/**
 * The frames one subscriber gets. All subscribers with the same seed walk the same
 * sequence; a filter only hides events (their slots pass in silence), so a filtered stream
 * is a subsequence of the unfiltered one.
 */
export function sessionSource(
  settings: StreamSettings,
  filter: SessionFilter,
  ownAccessKey: string,
): FrameSource {
  const lifecycles = new SessionLifecycles(deriveSeed(settings.seed, 'backendai sessions'), ownAccessKey);
  return new PacedSource(() => {
    const event = lifecycles.next();
    return matches(filter, event) ? { event: event.name, data: JSON.stringify(event.data) } : null;
  }, settings.rate);
}

export type TaskOutcome = 'task_done' | 'tak_failed' | 'task_failed' | 'task_cancelled';

interface TaskDefinition {
  outcome: TaskOutcome;
  /** `total_progress`; 0 means unknown, as the seed allows. */
  total: number;
  /** How many `task_updated` events come before the outcome. */
  updates: number;
  progressMessage: (step: number, agent: string) => string;
  outcomeMessage: string;
}

const AGENTS = ['i-agent-01', 'i-agent-02', 'i-agent-03', 'i-agent-04', 'i-agent-05', 'i-agent-06'];
const IMAGE = 'cr.backend.ai/stable/python-tensorflow:2.15-py311-cuda12.3';

const TASKS: ReadonlyMap<string, TaskDefinition> = new Map([
  [
    DEMO_TASK_IDS.done,
    {
      outcome: 'task_done',
      total: 8,
      updates: 8,
      progressMessage: (step, agent) => `preloading ${IMAGE} on ${agent} (${step}/8)`,
      outcomeMessage: `${IMAGE} preloaded on 8 agents`,
    },
  ],
  [
    DEMO_TASK_IDS.failedTypo,
    {
      outcome: 'tak_failed',
      total: 10,
      updates: 4,
      progressMessage: (step) => `rescanning registry cr.backend.ai: ${step}/10 repositories`,
      outcomeMessage: 'registry rescan failed: cr.backend.ai answered 503 Service Unavailable',
    },
  ],
  [
    DEMO_TASK_IDS.failed,
    {
      outcome: 'task_failed',
      total: 0,
      updates: 3,
      progressMessage: (_step, agent) => `purging unused images on ${agent}`,
      outcomeMessage: 'agent i-agent-03: no space left on device',
    },
  ],
  [
    DEMO_TASK_IDS.cancelled,
    {
      outcome: 'task_cancelled',
      total: 12,
      updates: 5,
      progressMessage: (step) => `draining scaling group gpu-a100: session ${step}/12`,
      outcomeMessage: 'cancelled: the manager is shutting down for maintenance',
    },
  ],
]);

/** Task ids whose results have expired: the manager keeps results 24 hours. */
const EXPIRED_TASKS: ReadonlySet<string> = new Set([DEMO_TASK_IDS.expired]);

/** The whole life of one task, from its start: updates at the rate, the outcome, `server_close`. */
export function taskScript(taskId: string, task: TaskDefinition, settings: StreamSettings): ScriptedFrame[] {
  const agents = new SeededRandom(deriveSeed(settings.seed, `backendai task ${taskId}`)).shuffle(AGENTS);
  const every = 1000 / settings.rate;
  const script: ScriptedFrame[] = [];
  for (let step = 1; step <= task.updates; step++) {
    const data = {
      task_id: taskId,
      current_progress: step,
      total_progress: task.total,
      message: task.progressMessage(step, agents[(step - 1) % agents.length] ?? 'i-agent-01'),
    };
    script.push({ atMs: (step - 1) * every, frame: { event: 'task_updated', data: JSON.stringify(data) } });
  }
  const outcome = {
    task_id: taskId,
    current_progress: task.updates,
    total_progress: task.total,
    message: task.outcomeMessage,
  };
  script.push({ atMs: task.updates * every, frame: { event: task.outcome, data: JSON.stringify(outcome) } });
  // The manager closes right after the outcome; the client must not reconnect.
  script.push({ atMs: task.updates * every, frame: { event: 'server_close', data: '{}' } });
  return script;
}

/** Routes of Backend.AI under `/backendai`. */
export class BackendAi {
  private readonly keypairs: Keypairs;

  constructor(private readonly context: HubContext) {
    const { accessKey, secretKey } = context.credentials.backendAi;
    this.keypairs = new Map([[accessKey, secretKey]]);
  }

  /** `GET /backendai/events/session`. */
  sessions(routed: RoutedRequest): void {
    const settings = this.accept(routed);
    if (!settings) return;
    const filter = sessionFilterFrom(routed.url.searchParams);
    const source = sessionSource(settings, filter, this.context.credentials.backendAi.accessKey);
    this.context.streamSse(routed, settings, source);
  }

  /** `GET /backendai/events/background-task?taskId=`. */
  backgroundTask(routed: RoutedRequest): void {
    const settings = this.accept(routed);
    if (!settings) return;
    const taskId = routed.url.searchParams.get('taskId');
    if (!taskId)
      return writeProblem(routed.res, 400, 'invalid-api-params', 'the taskId query parameter is required');
    if (EXPIRED_TASKS.has(taskId)) {
      return writeProblem(
        routed.res,
        404,
        'task-not-found',
        `the result of background task ${taskId} has expired (results are kept for 24 hours)`,
      );
    }
    const task = TASKS.get(taskId);
    if (!task) return writeProblem(routed.res, 404, 'task-not-found', `no background task ${taskId}`);
    this.context.streamSse(routed, settings, new ScriptedSource(taskScript(taskId, task, settings)));
  }

  /** Method, knobs, injected failure and signature; the settings when the request may go on. */
  private accept(routed: RoutedRequest): StreamSettings | undefined {
    const { req, res } = routed;
    if (req.method !== 'GET') {
      sendMethodNotAllowed(res, req.method ?? '?', ['GET']);
      return undefined;
    }
    const settings = this.context.settingsFor(routed, writeProblem);
    if (!settings || this.context.injectFailure(routed, settings, writeProblem)) return undefined;
    const auth = verifyBackendAiRequest(req, this.keypairs);
    if (!auth.ok) {
      sendProblem(res, 401, {
        type: 'https://api.backend.ai/probs/unauthorized',
        title: auth.title,
        detail: auth.detail,
      });
      return undefined;
    }
    return settings;
  }
}
