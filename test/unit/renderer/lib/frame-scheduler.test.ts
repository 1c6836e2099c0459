import { describe, expect, it } from 'vitest';
import { createFrameScheduler } from '../../../../src/renderer/src/lib/frame-scheduler';

describe('the frame scheduler', () => {
  it('runs each scheduled task once per frame however often it was scheduled', () => {
    const frames: (() => void)[] = [];
    const scheduler = createFrameScheduler((callback) => frames.push(callback));
    let runs = 0;
    const task = () => runs++;
    scheduler.schedule(task);
    scheduler.schedule(task);
    scheduler.schedule(task);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(runs).toBe(1);
    scheduler.schedule(task);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(runs).toBe(2);
  });
});
