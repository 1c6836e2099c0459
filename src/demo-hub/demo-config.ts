/**
 * The demo hub's fixed credentials and well-known ids, and the ready Hubwatch config that
 * points at a running demo hub. They are documented defaults, not secrets: the demo hub
 * listens on loopback and exists to be connected to.
 */
import type { HubConfig, HubwatchConfig } from '../shared/hub-config';

/** The credentials the demo hub accepts. */
export interface DemoCredentials {
  /** bot-hub: `Authorization: Bearer …` or `?token=…`. */
  botHubToken: string;
  /** Protocube (SSE and WebSocket): `Authorization: Bearer …` of an AppAdmin. */
  protocubeToken: string;
  /** Protocube: a valid token without AppAdmin; the event bus answers it 403. */
  protocubeUserToken: string;
  /** rdev: `X-API-Key`. */
  rdevApiKey: string;
  /** Backend.AI keypair (a superadmin: it sees every session). */
  backendAi: { accessKey: string; secretKey: string; apiVersion: string };
}

export const DEMO_CREDENTIALS: DemoCredentials = {
  botHubToken: 'demo-bot-token',
  protocubeToken: 'sls_live_demo',
  protocubeUserToken: 'sls_live_demo_user',
  rdevApiKey: 'rdev_demo_key',
  backendAi: {
    accessKey: 'AKIADEMOHUBWATCH0001',
    secretKey: 'demo-backendai-secret',
    apiVersion: 'v4.20190615',
  },
};

/** Backend.AI background tasks the demo hub knows, by how they end. */
export const DEMO_TASK_IDS = {
  /** Ends with `task_done`. */
  done: '6f1c2a34-5b7d-4e89-a0b1-c2d3e4f5a601',
  /** Ends with `tak_failed` — the misspelling the Backend.AI documentation lists. */
  failedTypo: '6f1c2a34-5b7d-4e89-a0b1-c2d3e4f5a602',
  /** Ends with `task_failed`, correctly spelt; its `total_progress` is 0 (unknown). */
  failed: '6f1c2a34-5b7d-4e89-a0b1-c2d3e4f5a603',
  /** Ends with `task_cancelled`. */
  cancelled: '6f1c2a34-5b7d-4e89-a0b1-c2d3e4f5a604',
  /** Finished more than a day ago: its result has expired, so it answers 404. */
  expired: '6f1c2a34-5b7d-4e89-a0b1-c2d3e4f5a6ee',
} as const;

/** The rdev project the config uses (any project id works). */
export const DEMO_RDEV_PROJECT = 'demo';

/** The hub ids of the demo config, in order. */
export const DEMO_HUB_IDS = [
  'bots',
  'cube',
  'cube-ws',
  'evo',
  'build',
  'bai',
  'bai-task',
  'bai-task-failed',
  'bai-task-cancelled',
] as const;

/**
 * A ready Hubwatch config for a demo hub at `baseUrl` (`http://host:port`, no trailing
 * slash), secrets inline.
 */
export function demoHubConfig(
  baseUrl: string,
  credentials: DemoCredentials = DEMO_CREDENTIALS,
): HubwatchConfig {
  const wsBase = baseUrl.replace(/^http/, 'ws');
  const bai = credentials.backendAi;
  const backendAiAuth: HubConfig['auth'] = {
    type: 'backendai',
    accessKey: bai.accessKey,
    secretKey: bai.secretKey,
    apiVersion: bai.apiVersion,
  };
  const task = (id: string, name: string, taskId: string): HubConfig => ({
    id,
    name,
    dialect: 'backendai',
    url: `${baseUrl}/backendai/events/background-task?taskId=${taskId}`,
    auth: backendAiAuth,
  });
  return {
    hubs: [
      {
        id: 'bots',
        name: 'Demo bot fleet',
        dialect: 'bot-hub',
        url: `${baseUrl}/bot-hub/events`,
        auth: { type: 'bearer', token: credentials.botHubToken },
      },
      {
        id: 'cube',
        name: 'Demo Protocube (SSE)',
        dialect: 'protocube',
        url: `${baseUrl}/protocube/api/events`,
        auth: { type: 'bearer', token: credentials.protocubeToken },
      },
      {
        id: 'cube-ws',
        name: 'Demo Protocube (WebSocket)',
        dialect: 'protocube',
        transport: 'websocket',
        url: `${wsBase}/protocube/api/events/ws`,
        auth: { type: 'bearer', token: credentials.protocubeToken },
      },
      {
        id: 'evo',
        name: 'Demo EvoClaw agents',
        dialect: 'evoclaw',
        url: `${baseUrl}/evoclaw/api/logs/stream`,
        pollUrl: `${baseUrl}/evoclaw/api/status`,
      },
      {
        id: 'build',
        name: 'Demo rdev build (npm test)',
        dialect: 'rdev',
        url: `${baseUrl}/rdev`,
        project: DEMO_RDEV_PROJECT,
        command: 'npm test',
        auth: { type: 'header', name: 'X-API-Key', value: credentials.rdevApiKey },
      },
      {
        id: 'bai',
        name: 'Demo Backend.AI sessions',
        dialect: 'backendai',
        url: `${baseUrl}/backendai/events/session?sessionId=*&group=*`,
        auth: backendAiAuth,
      },
      task('bai-task', 'Demo Backend.AI image preload', DEMO_TASK_IDS.done),
      task('bai-task-failed', 'Demo Backend.AI task (fails, tak_failed)', DEMO_TASK_IDS.failedTypo),
      task('bai-task-cancelled', 'Demo Backend.AI task (cancelled)', DEMO_TASK_IDS.cancelled),
    ],
  };
}
