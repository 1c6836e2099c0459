import { describe, expect, it } from 'vitest';
import { sleep } from '../../../../../src/main/engine/transports/abort-signal';

describe('sleep', () => {
  it('resolves early when aborted', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const waiting = sleep(10_000, controller.signal);
    controller.abort();
    await waiting;
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
