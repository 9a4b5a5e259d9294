import { randomBytes } from 'node:crypto';

/**
 * Identifiers shaped like API Gateway's: connectionId, requestId and messageId are 16 characters of
 * base64 ending in `=` (11 random bytes), e.g. `L0SM9cOFvHcCIhw=`. URL-safe characters are used so an
 * id can sit in a path segment unencoded, as AWS's ids do.
 */
const awsStyleId = (): string => randomBytes(11).toString('base64').replaceAll('+', '-').replaceAll('/', '_');

/** A 10-character lowercase API id, like `abcdef1234`. */
const apiIdFor = (seed?: string): string => {
  if (seed) return seed;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(10)].map((byte) => alphabet[byte % alphabet.length]).join('');
};

/** An X-Ray trace header value, as API Gateway adds to the upgrade request. */
const traceId = (nowMs: number): string => `Root=1-${Math.floor(nowMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number): string => String(value).padStart(2, '0');

/** `requestContext.requestTime`: CLF format in UTC, e.g. `09/Feb/2024:18:11:43 +0000`. */
const requestTime = (nowMs: number): string => {
  const date = new Date(nowMs);
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
};

export { apiIdFor, awsStyleId, requestTime, traceId };
