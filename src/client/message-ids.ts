/** ULID helpers: the first 10 characters encode the creation time in milliseconds (Crockford base32). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const ulidTime = (messageId: string): number => {
  let ms = 0;
  for (const char of messageId.slice(0, 10).toUpperCase()) {
    const digit = CROCKFORD.indexOf(char);
    if (digit < 0) return Number.NaN;
    ms = ms * 32 + digit;
  }
  return ms;
};

/** The smallest ULID that can be created at `ms`: `history` with `after` set to it returns everything from `ms` on. */
const smallestUlidAt = (ms: number): string => {
  let rest = Math.max(0, Math.floor(ms));
  let time = '';
  for (let index = 0; index < 10; index += 1) {
    time = (CROCKFORD[rest % 32] as string) + time;
    rest = Math.floor(rest / 32);
  }
  return `${time}${'0'.repeat(16)}`;
};

/**
 * Where to resume a session's history: a little before the last message seen, so a message stored
 * late by a concurrent request (an earlier id, written after a later one) is not skipped. What the
 * overlap fetches again is dropped by the dedupe.
 */
const resumePoint = (lastSeenId: string, overlapMs: number): string => {
  const time = ulidTime(lastSeenId);
  if (!Number.isFinite(time) || overlapMs <= 0) return lastSeenId;
  const point = smallestUlidAt(time - overlapMs);
  return point < lastSeenId ? point : lastSeenId;
};

export { ulidTime, smallestUlidAt, resumePoint };
