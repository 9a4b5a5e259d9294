/**
 * The Origin allow-list through the authorizer handler, loaded twice the way Lambda would (once with
 * ALLOWED_ORIGINS, once without): a listed origin connects, an unlisted one is denied (403), none
 * configured means any; and whatever the origin or token, the token never reaches a log line.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { authorizerEvent } from '#testkit/authorizer-events.ts';
import { lambdaContext } from '#testkit/events.ts';
import { capturedLines } from '#testkit/output.ts';
import { mintToken, TEST_SECRET } from '#testkit/tokens.ts';

type Handler = (event: unknown, context: unknown) => Promise<any>;

const LISTED = ['https://chat.example.com', 'https://admin.example.com'];
let restricted: Handler;
let open: Handler;
const tokens: string[] = [];

const loadAuthorizer = async (allowedOrigins: string | undefined): Promise<Handler> => {
  jest.resetModules();
  if (allowedOrigins === undefined) delete process.env.ALLOWED_ORIGINS;
  else process.env.ALLOWED_ORIGINS = allowedOrigins;
  return (await import('../../src/handlers/authorizer.ts')).handler as Handler;
};

beforeAll(async () => {
  process.env.JWT_SECRET = TEST_SECRET;
  delete process.env.JWT_ISSUER;
  delete process.env.JWT_AUDIENCE;
  restricted = await loadAuthorizer(` ${LISTED[0]}, ${LISTED[1]} `);
  open = await loadAuthorizer(undefined);
});
afterAll(() => {
  // The setup file also fails the file on a leak; this names the test that leaked.
  const leaks = capturedLines().filter((line) => tokens.some((token) => line.includes(token)));
  expect(leaks).toEqual([]);
});

const token = async (sub = 'olive') => {
  const minted = await mintToken({ sub });
  tokens.push(minted);
  return minted;
};
const decision = async (handler: Handler, jwt: string | undefined, headers: Record<string, string> = {}) => {
  try {
    const result = await handler(authorizerEvent(jwt, headers), lambdaContext('test-websocket-authorizer'));
    return result.policyDocument.Statement[0].Effect as 'Allow' | 'Deny';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('ALLOWED_ORIGINS configured', () => {
  it('allows each listed origin, whatever the header name case, and clients that send no Origin', async () => {
    const jwt = await token();
    expect(await decision(restricted, jwt, { Origin: LISTED[0] as string })).toBe('Allow');
    expect(await decision(restricted, jwt, { origin: LISTED[1] as string })).toBe('Allow');
    expect(await decision(restricted, jwt, { ORIGIN: LISTED[0] as string })).toBe('Allow');
    expect(await decision(restricted, jwt)).toBe('Allow');
  });

  it.each([
    'https://evil.example.com',
    'https://chat.example.com/',
    'http://chat.example.com',
    'https://chat.example.com:8443',
    'https://chat.example.com.evil.net',
    'https://evil.net/https://chat.example.com',
    'null',
    '',
    ' https://chat.example.com',
    'https://chat.example.com, https://evil.example.com',
  ])('denies origin %j (403), even with a valid token', async (origin) => {
    expect(await decision(restricted, await token(), { Origin: origin })).toBe('Deny');
  });

  it('denies every generated origin that is not listed, and still refuses a bad token from a listed one', async () => {
    const jwt = await token();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.webUrl(),
          fc.string(),
          fc.webUrl().map((url) => `${url}${LISTED[0]}`),
        ),
        async (origin) => {
          fc.pre(!LISTED.includes(origin));
          expect(await decision(restricted, jwt, { Origin: origin })).toBe('Deny');
        },
      ),
      { numRuns: 150 },
    );
    expect(await decision(restricted, `${jwt}x`, { Origin: LISTED[0] as string })).toBe('Unauthorized');
    expect(await decision(restricted, undefined, { Origin: LISTED[0] as string })).toBe('Unauthorized');
  });
});

describe('ALLOWED_ORIGINS not configured', () => {
  it('allows any origin with a valid token, and none without one', async () => {
    const jwt = await token();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.webUrl(), fc.string(), fc.constant('null')), async (origin) => {
        expect(await decision(open, jwt, { Origin: origin })).toBe('Allow');
        expect(await decision(open, `${jwt.slice(0, -2)}AA`, { Origin: origin })).toBe('Unauthorized');
      }),
      { numRuns: 100 },
    );
  });
});
