import { decodeTime, encodeTime, monotonicFactory } from 'ulid';

/** ULIDs: lexicographic order is time order, so DynamoDB's sort key returns history in order. */
const nextUlid = monotonicFactory();

const newMessageId = (nowMs: number): string => nextUlid(nowMs);

/** The smallest messageId that can have been created at `ms` (for "everything newer than" queries). */
const minMessageIdAt = (ms: number): string => `${encodeTime(Math.max(ms, 0), 10)}0000000000000000`;

const messageIdTime = (messageId: string): number => decodeTime(messageId);

export { newMessageId, minMessageIdAt, messageIdTime };
