import { describe, expect, it } from 'vitest';
import { describeNetworkError } from '../../../../../src/main/engine/transports/network-errors';

describe('describeNetworkError', () => {
  function fetchFailure(code: string): Error {
    return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
  }

  it('names refused connections, unknown hosts and TLS failures with the host', () => {
    expect(describeNetworkError(fetchFailure('ECONNREFUSED'), 'http://127.0.0.1:9/x')).toEqual({
      reason: 'connection refused (127.0.0.1:9)',
      code: 'ECONNREFUSED',
    });
    expect(describeNetworkError(fetchFailure('ENOTFOUND'), 'https://hub.invalid/x').reason).toBe(
      'host not found (hub.invalid)',
    );
    expect(describeNetworkError(fetchFailure('CERT_HAS_EXPIRED'), 'https://hub.test/').reason).toBe(
      'TLS error CERT_HAS_EXPIRED (hub.test)',
    );
  });

  it('finds the code inside an AggregateError from Happy Eyeballs', () => {
    const aggregate = new AggregateError(
      [Object.assign(new Error('x'), { code: 'ECONNREFUSED' })],
      'all failed',
    );
    const error = new TypeError('fetch failed', { cause: aggregate });
    expect(describeNetworkError(error, 'http://localhost:1/').code).toBe('ECONNREFUSED');
  });

  it('falls back to the innermost message', () => {
    const error = new TypeError('fetch failed', { cause: new Error('other side closed') });
    expect(describeNetworkError(error, 'http://h/').reason).toBe('other side closed');
  });
});
