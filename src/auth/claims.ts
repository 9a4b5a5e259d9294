import type { JWTPayload } from 'jose';

/**
 * The longest `sub` accepted, in UTF-8 bytes. The user id becomes DynamoDB keys: `userId#sessionId`
 * (sessionId ≤ 128 ASCII characters) in the messages table, the `userId-index` key and per-user items
 * in the connections table. DynamoDB refuses a partition key over 2,048 bytes, so 256 keeps every key
 * far inside that limit, with room for any prefix or suffix a key may add.
 */
const MAX_SUBJECT_BYTES = 256;

/**
 * The latest NumericDate accepted for `exp`/`nbf`/`iat`: 9999-12-31T23:59:59Z. Anything later cannot
 * be a date a `Date` can hold, and DynamoDB numbers stop at 10^126; `1e400` parses as Infinity.
 */
const MAX_NUMERIC_DATE = 253_402_300_799;

/**
 * Control characters (NUL, newlines, ESC...), format characters (zero-width, bidi overrides), line or
 * paragraph separators: they can split or disguise log lines and make two users look alike. Lone
 * surrogates (Cs; a pair is one astral character and passes) have no UTF-8 form.
 */
const FORBIDDEN_SUBJECT_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const NUMERIC_DATE_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/** Why a claim is refused, or undefined when it is usable. */
type ClaimProblem = { code: string; message: string } | undefined;

const encoder = new TextEncoder();

/**
 * A `sub` the backend can use as a user id: a non-empty string of at most 256 UTF-8 bytes with no
 * control, format, separator or lone surrogate character.
 * Any other character (letters of any script, spaces, `#`, `|`, `@`) is accepted.
 */
const subjectProblem = (sub: unknown): ClaimProblem => {
  if (typeof sub !== 'string' || sub.length === 0) return { code: 'ERR_NO_SUBJECT', message: 'Token has no usable "sub" claim' };
  // Counted before encoding: a string over 256 UTF-16 units may be too long anyway, and stops here cheaply.
  if (sub.length > MAX_SUBJECT_BYTES || encoder.encode(sub).length > MAX_SUBJECT_BYTES) {
    return { code: 'ERR_SUBJECT_TOO_LONG', message: `"sub" claim is longer than ${MAX_SUBJECT_BYTES} UTF-8 bytes` };
  }
  if (FORBIDDEN_SUBJECT_CHARACTERS.test(sub)) {
    return { code: 'ERR_SUBJECT_CHARACTERS', message: '"sub" claim has a control, format, separator or lone surrogate character' };
  }
  return undefined;
};

/**
 * jose checks that `exp`/`nbf`/`iat` are numbers, but `1e400` (Infinity), `-1e400` and 1e300 are
 * numbers too: each present date must be finite and between 0 and {@link MAX_NUMERIC_DATE}.
 */
const numericDateProblem = (payload: JWTPayload): ClaimProblem => {
  for (const claim of NUMERIC_DATE_CLAIMS) {
    const value: unknown = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_NUMERIC_DATE) {
      return { code: 'ERR_CLAIM_OUT_OF_RANGE', message: `"${claim}" claim is not a date between 1970 and 9999` };
    }
  }
  return undefined;
};

export type { ClaimProblem };
export { MAX_NUMERIC_DATE, MAX_SUBJECT_BYTES, numericDateProblem, subjectProblem };
