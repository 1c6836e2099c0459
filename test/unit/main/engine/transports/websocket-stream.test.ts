import { describe, expect, it } from 'vitest';
import { formatMiB, formatSeconds } from '../../../../../src/main/engine/transports/quantity-text';
import { describeClose } from '../../../../../src/main/engine/transports/websocket-stream';

describe('describeClose', () => {
  it('shows the server’s reason when there is one', () => {
    expect(describeClose(1001, 'going away')).toBe('closed 1001: going away');
    expect(describeClose(4000, 'custom')).toBe('closed 4000: custom');
  });

  it('names a standard code without a reason', () => {
    expect(describeClose(1006, '')).toBe('closed 1006 (abnormal closure)');
    expect(describeClose(1000, '')).toBe('closed 1000 (normal closure)');
    expect(describeClose(1012, '')).toBe('closed 1012 (service restart)');
    expect(describeClose(4321, '')).toBe('closed 4321');
  });
});

describe('formatting', () => {
  it('writes durations and sizes the way reasons show them', () => {
    expect(formatSeconds(30_000)).toBe('30 s');
    expect(formatSeconds(1500)).toBe('1.5 s');
    expect(formatSeconds(150)).toBe('0.15 s');
    expect(formatMiB(16 * 1024 * 1024)).toBe('16 MiB');
    expect(formatMiB(1024)).toBe('1 KiB');
    expect(formatMiB(100)).toBe('100 bytes');
  });
});
