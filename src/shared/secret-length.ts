/**
 * How long a secret must be for redaction to work well. Hubwatch replaces known secret
 * values wherever event content or diagnostics carry them (see
 * src/main/engine/redaction.ts), so a short secret also matches ordinary text by
 * chance: with the token `fleet`, "fleet online" in a message reads "REDACTED online".
 */

/** Secrets shorter than this are not replaced by value at all: they would match almost any text. */
export const MIN_REDACTED_SECRET_LENGTH = 4;

/** Secrets shorter than this get a warning in the hub editor. */
export const SHORT_SECRET_LENGTH = 8;

/** The hub editor's warning about a secret value it was given, or null when the value is long enough. */
export function shortSecretWarning(value: string): string | null {
  if (value.length === 0 || value.length >= SHORT_SECRET_LENGTH) return null;
  if (value.length < MIN_REDACTED_SECRET_LENGTH)
    return `Shorter than ${MIN_REDACTED_SECRET_LENGTH} characters: too short to be recognised, so Hubwatch cannot mask it in events, exports and logs.`;
  return `Shorter than ${SHORT_SECRET_LENGTH} characters: it may appear by chance in event text, which then shows REDACTED there (hub ids and names are never changed).`;
}
