import { describe, expect, it } from 'vitest';
import { sessionSource, sessionFilterFrom } from '../../../src/demo-hub/backendai';
import { botHubSource } from '../../../src/demo-hub/bot-hub';
import { evoclawSource } from '../../../src/demo-hub/evoclaw';
import type { FrameSource, StreamFrame } from '../../../src/demo-hub/frame-source';
import { protocubeSource } from '../../../src/demo-hub/protocube';
import { scriptFor } from '../../../src/demo-hub/rdev-commands';
import { SeededRandom } from '../../../src/demo-hub/random';
import {
  cloneSettings,
  DEFAULT_STREAM_SETTINGS,
  type StreamSettings,
} from '../../../src/demo-hub/stream-settings';

const SEEDS = Array.from({ length: 200 }, (_, i) => i);
/** Events in the first 20 s at the default rate of 4 per second. */
const FIRST_20_S = 80;

const settings = (seed: number): StreamSettings => ({ ...cloneSettings(DEFAULT_STREAM_SETTINGS), seed });

/** The frames a subscriber would get in its first `count` slots. */
function first(source: FrameSource, count: number): StreamFrame[] {
  const frames: StreamFrame[] = [];
  for (let i = 0; i < count; i++) {
    const frame = source.take();
    if (frame) frames.push(frame);
  }
  return frames;
}

describe('the demo hub defaults', () => {
  it('are 4 events per second, a 5 s heartbeat and a WebSocket ping well within 30 s', () => {
    expect(DEFAULT_STREAM_SETTINGS.rate).toBe(4);
    expect(DEFAULT_STREAM_SETTINGS.heartbeatMs).toBe(5000);
    expect(DEFAULT_STREAM_SETTINGS.pingMs).toBeGreaterThan(0);
    expect(DEFAULT_STREAM_SETTINGS.pingMs).toBeLessThanOrEqual(30_000);
  });
});

describe('every event kind within 20 s, for any seed', () => {
  it('holds for the bot hub: all statuses, levels and scopes', () => {
    for (const seed of SEEDS) {
      const frames = first(botHubSource(settings(seed)), FIRST_20_S);
      const statuses = new Set<string>();
      const levels = new Set<string>();
      const scopes = new Set<string>();
      for (const frame of frames) {
        const data = JSON.parse(frame.data) as {
          snapshot?: { status: string };
          level?: string;
          scope?: string;
        };
        if (frame.event === 'session') statuses.add(data.snapshot!.status);
        else {
          levels.add(data.level!);
          scopes.add(data.scope!);
        }
      }
      expect(statuses.size, `seed ${seed}`).toBe(7);
      expect(levels.size, `seed ${seed}`).toBe(4);
      expect(scopes.size, `seed ${seed}`).toBe(5);
    }
  });

  it('holds for Protocube: status, crash, deleted and a suffixed topic', () => {
    for (const seed of SEEDS) {
      const topics = new Set(first(protocubeSource(settings(seed)), FIRST_20_S).map((f) => f.event ?? ''));
      expect(topics.has('status') && topics.has('crash') && topics.has('deleted'), `seed ${seed}`).toBe(true);
      expect(
        [...topics].some((t) => t.startsWith('status:')),
        `seed ${seed}`,
      ).toBe(true);
    }
  });

  it('holds for EvoClaw: every level, every component and the heartbeat', () => {
    for (const seed of SEEDS) {
      const entries = first(evoclawSource(settings(seed)), FIRST_20_S + 4).map(
        (f) => JSON.parse(f.data) as { level: string; component: string; message: string },
      );
      expect(new Set(entries.map((e) => e.level)).size, `seed ${seed}`).toBe(4);
      expect(new Set(entries.map((e) => e.component)).size, `seed ${seed}`).toBe(8);
      expect(entries.filter((e) => e.message.startsWith('heartbeat:')).length, `seed ${seed}`).toBe(4);
    }
  });

  it('holds for Backend.AI sessions: all five lifecycle events and a FAILURE', () => {
    for (const seed of SEEDS) {
      const source = sessionSource(
        settings(seed),
        sessionFilterFrom(new URLSearchParams()),
        'AKIADEMOHUBWATCH0001',
      );
      const frames = first(source, FIRST_20_S);
      expect(new Set(frames.map((f) => f.event)).size, `seed ${seed}`).toBe(5);
      expect(
        frames.some((f) => f.data.includes('"FAILURE"')),
        `seed ${seed}`,
      ).toBe(true);
    }
  });
});

describe('the simulated npm test', () => {
  it('prints 20 to 30 lines over 8 to 11 s with stderr, one error and exit code 1, for any seed', () => {
    for (const seed of SEEDS) {
      const script = scriptFor('npm test', 'demo', new SeededRandom(seed));
      const lines = script.steps.filter((s) => s.event === 'output');
      expect(lines.length).toBeGreaterThanOrEqual(20);
      expect(lines.length).toBeLessThanOrEqual(30);
      expect(lines.some((l) => l.event === 'output' && l.stream === 'stderr')).toBe(true);
      expect(script.steps.filter((s) => s.event === 'error')).toHaveLength(1);
      expect(script.exitCode).toBe(1);
      expect(script.durationMs).toBeGreaterThanOrEqual(8000);
      expect(script.durationMs).toBeLessThanOrEqual(11_000);
    }
  });

  it('knows the documented commands and their exit codes', () => {
    const exit = (command: string): number => scriptFor(command, 'demo', new SeededRandom(1)).exitCode;
    expect(exit('make build')).toBe(0);
    expect(exit('echo hi')).toBe(0);
    expect(exit('exit 42')).toBe(42);
    expect(exit('exit 300')).toBe(44);
    expect(exit('exit nope')).toBe(2);
    expect(exit('sleep 2')).toBe(0);
    expect(scriptFor('sleep 2', 'demo', new SeededRandom(1)).durationMs).toBe(2000);
    expect(exit('sleep soon')).toBe(1);
    expect(exit('false')).toBe(1);
    expect(exit('cargo build --release')).toBe(0);
  });
});
