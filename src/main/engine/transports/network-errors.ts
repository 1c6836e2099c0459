/**
 * Failed requests in the operator's words: the network error code in an error's cause
 * chain, and a short reason naming what went wrong and with which host.
 */

/** The network error code (`ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, …) somewhere in an error's cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string' && candidate.code !== 'ABORT_ERR') return candidate.code;
    // Happy Eyeballs reports every address it tried in an AggregateError.
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
      current = candidate.errors[0];
      continue;
    }
    current = candidate.cause;
  }
  return undefined;
}

const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Whether a network error code is a TLS/certificate problem. */
export function isTlsErrorCode(code: string): boolean {
  return TLS_CODE.test(code);
}

/** A short operator-facing text for a failed request: "connection refused (127.0.0.1:4000)". */
export function describeNetworkError(error: unknown, url: string): { reason: string; code?: string } {
  const code = networkErrorCode(error);
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // Keep the raw text.
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: `connection refused (${host})`, code };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: `host not found (${host})`, code };
    case 'ECONNRESET':
      return { reason: `connection reset (${host})`, code };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { reason: `connection timed out (${host})`, code };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { reason: `host unreachable (${host})`, code };
    case undefined:
      return { reason: errorMessage(error) };
    default:
      if (isTlsErrorCode(code)) return { reason: `TLS error ${code} (${host})`, code };
      return { reason: `${errorMessage(error)} (${code})`, code };
  }
}

/** The innermost useful message of an error (`fetch failed` says nothing; its cause does). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (error.message === 'fetch failed' && cause instanceof Error) return errorMessage(cause);
    return error.message || error.name;
  }
  return String(error);
}
