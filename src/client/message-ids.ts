import { messageIdTime, minMessageIdAt } from '../protocol/message-id-time.ts';

/**
 * Where to resume a session's history: a little before the last message seen, so a message stored
 * late by a concurrent request (an earlier id, written after a later one) is not skipped. What the
 * overlap fetches again is dropped by the dedupe.
 */
const resumePoint = (lastSeenId: string, overlapMs: number): string => {
  const time = messageIdTime(lastSeenId);
  if (!Number.isFinite(time) || overlapMs <= 0) return lastSeenId;
  const point = minMessageIdAt(time - overlapMs);
  return point < lastSeenId ? point : lastSeenId;
};

export { resumePoint };
