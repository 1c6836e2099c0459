/**
 * The EvoClaw agent platform (seed 002): `GET /api/logs/stream` sends untyped `data:`
 * frames `{"time": "HH:MM:SS", "level", "component", "message"}` with no auth, a heartbeat
 * line from `system` every 5 s, and the documented headers including
 * `Access-Control-Allow-Origin: *`; `GET /api/status` is the polling fallback.
 */
import { sendError, sendJson, sendMethodNotAllowed } from './http-responses';
import { PacedSource, type FrameSource, type StreamFrame } from './frame-source';
import type { HubContext, RoutedRequest } from './hub-context';
import { deriveSeed, SeededRandom, ShuffleBag } from './random';
import type { StreamSettings } from './stream-settings';

export type EvoLevel = 'debug' | 'info' | 'warn' | 'error';
export type EvoComponent =
  'api' | 'orchestrator' | 'model-router' | 'registry' | 'evolution' | 'mqtt' | 'telegram' | 'system';

/** One log entry as sent on the stream. */
export interface EvoLogEntry {
  /** Server local time, `HH:MM:SS`. */
  time: string;
  level: EvoLevel;
  component: EvoComponent;
  message: string;
}

/** Headers the seed says the stream (and, for browsers, the status endpoint) carries. */
const CORS = { 'Access-Control-Allow-Origin': '*' };
const VERSION = '0.9.3';

interface Agent {
  id: string;
  name: string;
  type: 'trader' | 'monitor';
}

const AGENTS: readonly Agent[] = [
  { id: 'momentum-01', name: 'Momentum Trader', type: 'trader' },
  { id: 'arbiter-02', name: 'Arbitrage Scout', type: 'trader' },
  { id: 'sentinel-03', name: 'Risk Sentinel', type: 'monitor' },
];

/** Local wall-clock time as `HH:MM:SS`. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

interface Template {
  level: EvoLevel;
  component: EvoComponent;
  message: (r: SeededRandom, state: AgentsState) => string;
}

interface AgentsState {
  offline: Set<string>;
}

const agentName = (r: SeededRandom): string => r.pick(AGENTS).id;

/** Every component and every level of the seed's table, each at least once. */
const TEMPLATES: readonly Template[] = [
  {
    level: 'info',
    component: 'api',
    message: (r) =>
      `HTTP request completed: ${r.pick(['GET /api/agents', 'GET /api/status', 'POST /api/agents/momentum-01/tick', 'GET /api/metrics'])} 200 (${r.int(1, 40)}.${r.int(0, 9)}ms)`,
  },
  { level: 'info', component: 'api', message: () => 'HTTP request completed' },
  {
    level: 'warn',
    component: 'api',
    message: (r) => `slow request: GET /api/history?days=30 took ${r.int(1200, 4800)}ms`,
  },
  {
    level: 'info',
    component: 'orchestrator',
    message: (r) => `agent ${agentName(r)} tick completed in ${r.int(40, 400)}ms — ${r.int(0, 4)} orders`,
  },
  {
    level: 'debug',
    component: 'orchestrator',
    message: (r) => `scheduling next evaluation window in ${r.int(5, 60)}s`,
  },
  {
    level: 'info',
    component: 'model-router',
    message: (r) =>
      `routed request to ${r.pick(['claude-sonnet', 'gpt-4o-mini', 'local/llama3.1-8b'])} (latency ${r.int(180, 2400)}ms, ${r.int(200, 3000)} tokens)`,
  },
  {
    level: 'warn',
    component: 'model-router',
    message: () => 'provider timeout — falling back to local/llama3.1-8b',
  },
  {
    level: 'error',
    component: 'model-router',
    message: () => 'provider returned 503 Service Unavailable after 3 retries',
  },
  {
    level: 'info',
    component: 'registry',
    message: (r) => `agent ${agentName(r)} heartbeat acknowledged, capabilities unchanged`,
  },
  {
    level: 'debug',
    component: 'registry',
    message: (r) => `registry cache hit ratio ${r.int(80, 99)}%`,
  },
  {
    level: 'info',
    component: 'evolution',
    message: (r) =>
      `generation ${r.int(10, 90)}: best fitness 0.${r.int(600, 950)} (+0.0${r.int(1, 60)}) — mutation rate ${r.int(1, 9)}%`,
  },
  {
    level: 'info',
    component: 'evolution',
    message: (r) =>
      `strategy "${r.pick(['mean-reversion', 'breakout', 'pairs'])}" promoted to live after backtest ✓`,
  },
  {
    level: 'info',
    component: 'mqtt',
    message: (r) => `published ${r.int(1, 40)} messages to evoclaw/metrics`,
  },
  {
    level: 'error',
    component: 'mqtt',
    message: () => 'connection to broker tcp://127.0.0.1:1883 lost: EOF — reconnecting',
  },
  {
    level: 'info',
    component: 'telegram',
    message: (r) => `alert sent to chat -100${r.int(1000000, 9999999)}: “drawdown 4.2% on ${agentName(r)}”`,
  },
  {
    level: 'warn',
    component: 'telegram',
    message: (r) => `rate limited by Telegram API — retrying in ${r.int(1, 9)}s`,
  },
  {
    level: 'info',
    component: 'system',
    message: (r) => `memory usage ${r.int(180, 900)} MB, goroutines ${r.int(40, 300)}`,
  },
  {
    level: 'warn',
    component: 'orchestrator',
    message: (r, state) => {
      const up = AGENTS.filter((a) => !state.offline.has(a.id));
      // One agent always stays up, as the seed's "N agents online" never reaches 0.
      if (up.length < 2) return `agent ${agentName(r)} missed a heartbeat — retrying`;
      const agent = r.pick(up);
      state.offline.add(agent.id);
      return `agent ${agent.id} stopped responding — marked offline`;
    },
  },
  {
    level: 'info',
    component: 'orchestrator',
    message: (r, state) => {
      const down = [...state.offline];
      const id = down.length > 0 ? r.pick(down) : agentName(r);
      state.offline.delete(id);
      return `agent ${id} restarted — warm start from snapshot ✓`;
    },
  },
];

/** The heartbeat line, exactly as the seed shows it. */
function heartbeat(state: AgentsState): EvoLogEntry {
  return {
    time: clockTime(Date.now()),
    level: 'info',
    component: 'system',
    message: `heartbeat: ${AGENTS.length - state.offline.size} agents online`,
  };
}

const untyped = (entry: EvoLogEntry): StreamFrame => ({ data: JSON.stringify(entry) });

/** The frames one subscriber gets: log lines at the rate, a heartbeat every `heartbeatMs`. */
export function evoclawSource(settings: StreamSettings): FrameSource {
  const random = new SeededRandom(deriveSeed(settings.seed, 'evoclaw'));
  const bag = new ShuffleBag(TEMPLATES, random);
  const state: AgentsState = { offline: new Set() };
  return new PacedSource(
    () => {
      const template = bag.draw();
      return untyped({
        time: clockTime(Date.now()),
        level: template.level,
        component: template.component,
        message: template.message(random, state),
      });
    },
    settings.rate,
    { everyMs: settings.heartbeatMs, generate: () => untyped(heartbeat(state)) },
  );
}

/** Routes of EvoClaw under `/evoclaw`. */
export class EvoClaw {
  constructor(private readonly context: HubContext) {}

  /** `GET /evoclaw/api/logs/stream`. */
  stream(routed: RoutedRequest): void {
    const { req, res } = routed;
    if (req.method === 'OPTIONS') return this.preflight(routed);
    if (req.method !== 'GET') return sendMethodNotAllowed(res, req.method ?? '?', ['GET']);
    const settings = this.context.settingsFor(routed, sendError);
    if (!settings || this.context.injectFailure(routed, settings, sendError)) return;
    this.context.streamSse(routed, settings, evoclawSource(settings), CORS);
  }

  /** `GET /evoclaw/api/status`, the polling fallback. */
  status(routed: RoutedRequest): void {
    const { req, res } = routed;
    if (req.method === 'OPTIONS') return this.preflight(routed);
    if (req.method !== 'GET') return sendMethodNotAllowed(res, req.method ?? '?', ['GET']);
    const now = Date.now();
    sendJson(
      res,
      200,
      {
        status: 'ok',
        version: VERSION,
        time: clockTime(now),
        uptime_s: Math.floor((now - this.context.startedAt) / 1000),
        agents_online: AGENTS.length,
        agents: AGENTS.map((agent, i) => ({
          ...agent,
          status: 'running',
          generation: 40 + i * 7,
          last_tick: clockTime(now - (i + 1) * 1000),
        })),
        components: {
          api: 'ok',
          orchestrator: 'ok',
          'model-router': 'ok',
          registry: 'ok',
          evolution: 'ok',
          mqtt: 'ok',
          telegram: 'ok',
        },
      },
      CORS,
    );
  }

  private preflight({ res }: RoutedRequest): void {
    res.writeHead(204, {
      ...CORS,
      'Access-Control-Allow-Methods': 'GET, OPTIONS',
      'Access-Control-Allow-Headers': 'Last-Event-ID, Cache-Control',
    });
    res.end();
  }
}
