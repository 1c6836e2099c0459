/**
 * Coalesces work into animation frames: however many pushes arrive between two frames,
 * each scheduled task runs once, right before the next paint. This is what keeps the list
 * at one DOM update per frame at 20,000 events/s.
 */
export interface FrameScheduler {
  /** Runs `task` before the next frame; scheduling the same task again before then is a no-op. */
  schedule(task: () => void): void;
}

/** A scheduler over a frame source (the browser's is `visibleAwareFrame` in browser-frame.ts). */
export function createFrameScheduler(requestFrame: (callback: () => void) => void): FrameScheduler {
  let queued = new Set<() => void>();
  let requested = false;
  const run = () => {
    requested = false;
    const tasks = queued;
    queued = new Set();
    for (const task of tasks) {
      try {
        task();
      } catch (error) {
        console.error('Hubwatch: a frame task failed', error);
      }
    }
  };
  return {
    schedule(task) {
      queued.add(task);
      if (requested) return;
      requested = true;
      requestFrame(run);
    },
  };
}

/** A scheduler that runs tasks only when `flush()` is called (tests, and synchronous callers). */
export function createManualScheduler(): FrameScheduler & { flush(): void; pending(): number } {
  let queued = new Set<() => void>();
  return {
    schedule(task) {
      queued.add(task);
    },
    flush() {
      const tasks = queued;
      queued = new Set();
      for (const task of tasks) task();
    },
    pending() {
      return queued.size;
    },
  };
}
