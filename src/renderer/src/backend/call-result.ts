import { ApiCallError, type CallResult } from '../../../shared/api';

/**
 * Unwraps a call's envelope: the value, or an `ApiCallError` carrying the operator-facing
 * message and the request field it is about (so forms can show it next to that field).
 */
export function unwrapCallResult<T>(result: CallResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiCallError(result.error.message, result.error.field);
}

/** True for a value shaped like a `CallResult` (a transport answer we can trust to unwrap). */
export function isCallResult(value: unknown): value is CallResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const ok = (value as { ok?: unknown }).ok;
  if (ok === true) return 'value' in value;
  if (ok === false) {
    const error = (value as { error?: unknown }).error;
    return (
      typeof error === 'object' &&
      error !== null &&
      typeof (error as { message?: unknown }).message === 'string'
    );
  }
  return false;
}

/** The message of anything thrown, for showing where it happened. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The request field an error is about, when the backend named one. */
export function errorField(error: unknown): string | null {
  return error instanceof ApiCallError && error.field ? error.field : null;
}
