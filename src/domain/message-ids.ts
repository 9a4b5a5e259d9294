import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Random bytes for ULIDs come from a pooled crypto buffer: the library's default asks the OS for one
 * byte per character (16 calls an id), which was the largest single cost of a warm chat message.
 */
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let offset = 0;

const pooledRandom = (): number => {
  if (offset >= POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const byte = pool[offset] as number;
  offset += 1;
  return byte / 256;
};

/** ULIDs: lexicographic order is time order, so DynamoDB's sort key returns history in order. */
const nextUlid = monotonicFactory(pooledRandom);

const newMessageId = (nowMs: number): string => nextUlid(nowMs);

export { newMessageId };
