/** Reading event ids (SSE `id:` values) as numbers without `Number()` on a fresh string. */

/** Whether `id` is a decimal integer small enough to compare exactly; its value, else -1. */
export function integerId(id: string): number {
  const length = id.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The value of an id that round-trips through a number (`0`, or up to 15 digits without a
 * leading zero, so `String(value)` gives the id back), else -1.
 */
export function canonicalInteger(id: string): number {
  return id.length > 1 && id.charCodeAt(0) === 48 ? -1 : integerId(id);
}
