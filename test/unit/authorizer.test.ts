import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { authorizerEvent, base64url, craftToken, METHOD_ARN } from '#testkit/authorizer-events.ts';
import { lambdaContext } from '#testkit/events.ts';
import { registerSecret } from '#testkit/output.ts';
import { mintToken, TEST_SECRET } from '#testkit/tokens.ts';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'chatbot';
const APP_ORIGIN = 'https://app.example.com';

let handler: (...args: any[]) => Promise<any>;

beforeAll(async () => {
  process.env.JWT_SECRET = TEST_SECRET;
  process.env.JWT_ISSUER = ISSUER;
  process.env.JWT_AUDIENCE = AUDIENCE;
  process.env.ALLOWED_ORIGINS = `${APP_ORIGIN}, https://other.example.com`;
  ({ handler } = await import('../../src/handlers/authorizer.ts'));
});

const now = () => Math.floor(Date.now() / 1000);
const valid = (overrides: Parameters<typeof mintToken>[0] = {}) => mintToken({ sub: 'alice', issuer: ISSUER, audience: AUDIENCE, ...overrides });
const authorize = (token: string | undefined, headers: Record<string, string> = {}) => handler(authorizerEvent(token, headers), lambdaContext('test-websocket-authorizer'));
const registered = (token: string) => {
  registerSecret(token);
  return token;
};

describe('authorizer', () => {
  it('allows a valid token, with userId and the token expiry in the context', async () => {
    const token = await valid({ expiresInSeconds: 600 });
    const result = await authorize(token);
    expect(result).toEqual({
      principalId: 'alice',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
      },
      context: { userId: 'alice', tokenExpiresAt: expect.any(Number) },
    });
    expect(Math.abs(result.context.tokenExpiresAt - (now() + 600))).toBeLessThanOrEqual(2);
  });

  const REFUSALS: Array<[string, () => Promise<string | undefined>]> = [
    ['alg "none"', async () => registered(craftToken({ alg: 'none', typ: 'JWT' }, { sub: 'alice', exp: now() + 600, iss: ISSUER, aud: AUDIENCE }))],
    ['alg "NoNe"', async () => registered(craftToken({ alg: 'NoNe', typ: 'JWT' }, { sub: 'alice', exp: now() + 600, iss: ISSUER, aud: AUDIENCE }))],
    ['a token signed with another secret', () => valid({ secret: 'another-secret-that-is-also-32-characters-long' })],
    [
      'an RS256 token where HS256 is configured (algorithm confusion)',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return registered(
          await new SignJWT({})
            .setProtectedHeader({ alg: 'RS256' })
            .setSubject('alice')
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setExpirationTime(now() + 600)
            .sign(privateKey),
        );
      },
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await valid()).split('.');
        return registered(`${header}.${base64url({ sub: 'admin', exp: now() + 600, iss: ISSUER, aud: AUDIENCE })}.${signature}`);
      },
    ],
    ['a truncated signature', async () => registered((await valid()).slice(0, -6))],
    ['an expired token', () => valid({ expiresInSeconds: -60 })],
    ['nbf in the future', () => valid({ notBefore: now() + 120 })],
    ['no exp', () => valid({ omitExp: true })],
    ['a wrong iss', () => valid({ issuer: 'https://evil.test' })],
    ['a wrong aud', () => valid({ audience: 'someone-else' })],
    ['no sub', () => valid({ sub: undefined })],
    ['garbage', async () => 'not-a-jwt'],
    ['three dots of garbage', async () => 'a.b.c'],
    ['an empty token', async () => ''],
    ['no token at all', async () => undefined],
  ];

  it.each(REFUSALS)('refuses %s with Unauthorized (401), never a 500', async (_name, makeToken) => {
    const token = await makeToken();
    await expect(authorize(token)).rejects.toThrow(/^Unauthorized$/);
  });

  it('accepts a token within the clock skew of its exp', async () => {
    const token = await valid({ expiresInSeconds: -2 });
    await expect(authorize(token)).resolves.toMatchObject({ principalId: 'alice' });
  });

  it('denies (403) a valid token from an origin that is not allowed', async () => {
    const result = await authorize(await valid(), { Origin: 'https://evil.example.com' });
    expect(result.policyDocument.Statement[0].Effect).toBe('Deny');
    expect(result.context).toBeUndefined();
  });

  it('allows an allowed origin, and clients that send no Origin (not browsers)', async () => {
    const token = await valid();
    await expect(authorize(token, { origin: APP_ORIGIN })).resolves.toMatchObject({ context: { userId: 'alice' } });
    await expect(authorize(token)).resolves.toMatchObject({ context: { userId: 'alice' } });
  });
});
