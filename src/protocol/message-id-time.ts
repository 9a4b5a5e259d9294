import { decodeTime, encodeTime } from 'ulid';

/*
 * The time half of a messageId (a ULID: the first 10 characters encode the creation time in ms).
 * No Node built-ins here: the client library in the browser uses these too.
 */

/** The smallest messageId that can have been created at `ms`: `after` set to it selects everything from `ms` on. */
const minMessageIdAt = (ms: number): string => `${encodeTime(Math.max(Math.floor(ms), 0), 10)}0000000000000000`;

/** When `messageId` was created (epoch ms), or NaN when it is not a ULID. */
const messageIdTime = (messageId: string): number => {
  try {
    return decodeTime(messageId);
  } catch {
    return Number.NaN;
  }
};

export { messageIdTime, minMessageIdAt };
