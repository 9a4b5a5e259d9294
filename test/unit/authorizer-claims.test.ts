/**
 * Token claims the backend stores are bounded at the authorizer, through the real handler: a `sub`
 * the tables can key on (≤ 256 UTF-8 bytes, no control/format/separator characters), finite dates.
 * Anything else is `Unauthorized` (401), never a 500; and what a refused client chose (a `crit` name,
 * an Origin) reaches the log cut to a bounded length.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { authorizerEvent, craftToken } from '#testkit/authorizer-events.ts';
import { lambdaContext } from '#testkit/events.ts';
import { jsonLinesSince, linesSince, outputMark } from '#testkit/output.ts';
import { signRawPayload } from '#testkit/raw-tokens.ts';
import { mintToken, TEST_SECRET } from '#testkit/tokens.ts';
import { MAX_NUMERIC_DATE, MAX_SUBJECT_BYTES } from '../../src/auth/claims.ts';
import { MAX_LOGGED_CLIENT_CHARACTERS } from '../../src/auth/client-text.ts';

type Handler = (event: unknown, context: unknown) => Promise<any>;

const ALLOWED_ORIGIN = 'https://app.example.com';
let handler: Handler;

beforeAll(async () => {
  jest.resetModules();
  process.env.JWT_SECRET = TEST_SECRET;
  delete process.env.JWT_ISSUER;
  delete process.env.JWT_AUDIENCE;
  process.env.ALLOWED_ORIGINS = ALLOWED_ORIGIN;
  ({ handler } = (await import('../../src/handlers/authorizer.ts')) as { handler: Handler });
});

const now = () => Math.floor(Date.now() / 1000);
const decision = async (token: string, headers: Record<string, string> = {}) => {
  try {
    const result = await handler(authorizerEvent(token, headers), lambdaContext('test-websocket-authorizer'));
    return { effect: result.policyDocument.Statement[0].Effect as string, userId: result.context?.userId as string | undefined };
  } catch (error) {
    return { effect: (error as Error).message };
  }
};
/** A token whose payload text is given verbatim, so numbers such as 1e400 reach the parser as written. */
const rawClaims = (claims: string) => signRawPayload(`{${claims}}`);
const withSub = (sub: string) => mintToken({ sub });

describe('sub', () => {
  it.each([
    ['the longest ASCII sub (256 bytes)', 'a'.repeat(MAX_SUBJECT_BYTES)],
    ['85 three-byte characters (255 bytes)', '€'.repeat(85)],
    ['64 emoji (four bytes each: 256 bytes)', '😀'.repeat(64)],
    ['full-width letters', 'ｆｕｌｌｗｉｄｔｈ'],
    ['an e-mail address', 'alice@example.com'],
    ['a provider-prefixed id with | and #', 'auth0|abc#123'],
    ['accented letters and spaces', 'José Álvarez'],
  ])('accepts %s as the user id', async (_name, sub) => {
    expect(await decision(await withSub(sub))).toEqual({ effect: 'Allow', userId: sub });
  });

  it.each([
    ['2,000 ASCII characters', 'a'.repeat(2_000)],
    ['257 ASCII characters', 'a'.repeat(MAX_SUBJECT_BYTES + 1)],
    ['86 three-byte characters (258 bytes)', '€'.repeat(86)],
    ['65 emoji (260 bytes)', '😀'.repeat(65)],
    ['700 three-byte characters (over 2 KB of UTF-8)', '€'.repeat(700)],
    ['a NUL', 'alice\u0000admin'],
    ['a newline', 'alice\nINFO forged line'],
    ['a tab', 'alice\tbob'],
    ['DEL', 'alice\u007f'],
    ['a C1 control', 'alice\u0085'],
    ['a right-to-left override', 'alice\u202eecila'],
    ['a zero-width space', 'ali\u200bce'],
    ['a byte order mark', '\ufeffalice'],
    ['a line separator', 'alice\u2028bob'],
    ['a lone high surrogate', 'alice\ud800'],
    ['a lone low surrogate', '\udc00alice'],
  ])('refuses a sub with %s (401)', async (_name, sub) => {
    expect(await decision(await withSub(sub))).toEqual({ effect: 'Unauthorized' });
  });

  it.each([
    ['a number', '123'],
    ['an empty string', '""'],
    ['null', 'null'],
    ['an object', '{"id":"alice"}'],
  ])('refuses a sub that is %s (401)', async (_name, value) => {
    expect(await decision(await rawClaims(`"sub":${value},"exp":${now() + 600}`))).toEqual({ effect: 'Unauthorized' });
  });
});

describe('exp, nbf and iat', () => {
  it.each([
    ['a fractional exp', `"exp":${now() + 600}.5`],
    ['the latest exp (year 9999)', `"exp":${MAX_NUMERIC_DATE}`],
    ['iat and nbf of 0', `"exp":${now() + 600},"iat":0,"nbf":0`],
  ])('accepts %s', async (_name, claims) => {
    expect(await decision(await rawClaims(`"sub":"alice",${claims}`))).toEqual({ effect: 'Allow', userId: 'alice' });
  });

  const soon = () => now() + 600;
  it.each([
    ['exp 1e400 (Infinity)', () => `"exp":1e400`],
    ['exp 1e300', () => `"exp":1e300`],
    ['exp after year 9999', () => `"exp":${MAX_NUMERIC_DATE + 1}`],
    ['exp -1e400', () => `"exp":-1e400`],
    ['exp negative', () => `"exp":-1`],
    ['exp a numeric string', () => `"exp":"${soon()}"`],
    ['exp null', () => `"exp":null`],
    ['exp true', () => `"exp":true`],
    ['exp an array', () => `"exp":[${soon()}]`],
    ['nbf -1e400', () => `"exp":${soon()},"nbf":-1e400`],
    ['nbf 1e400', () => `"exp":${soon()},"nbf":1e400`],
    ['nbf negative', () => `"exp":${soon()},"nbf":-5`],
    ['nbf a string', () => `"exp":${soon()},"nbf":"0"`],
    ['iat 1e400', () => `"exp":${soon()},"iat":1e400`],
    ['iat -1e400', () => `"exp":${soon()},"iat":-1e400`],
    ['iat 1e300', () => `"exp":${soon()},"iat":1e300`],
    ['iat negative', () => `"exp":${soon()},"iat":-1`],
    ['iat a string', () => `"exp":${soon()},"iat":"now"`],
  ])('refuses %s (401)', async (_name, claims) => {
    expect(await decision(await rawClaims(`"sub":"alice",${claims()}`))).toEqual({ effect: 'Unauthorized' });
  });
});

describe('log lines of refused handshakes', () => {
  const refusalLines = (mark: number) => jsonLinesSince(mark).filter((line) => typeof line.message === 'string' && /refused/.test(line.message));

  it('cuts a 12 KB crit header name in the refusal log to a bounded length, with a marker', async () => {
    // Prepare: jose names the unrecognised crit parameter in its message, before checking the signature.
    const name = 'c'.repeat(12_000);
    const token = craftToken({ alg: 'HS256', crit: [name], [name]: true }, { sub: 'alice', exp: now() + 600 }, 'c2ln');
    const mark = outputMark();

    // Act
    const result = await decision(token);

    // Assess
    expect(result).toEqual({ effect: 'Unauthorized' });
    const [line, ...others] = refusalLines(mark);
    expect(others).toEqual([]);
    expect(line?.detail).toMatch(/^Extension Header Parameter "c+…\[truncated, 12\d{3} characters\]$/);
    expect(String(line?.detail).length).toBeLessThan(MAX_LOGGED_CLIENT_CHARACTERS + 40);
    expect(Math.max(...linesSince(mark).map((text) => text.length))).toBeLessThan(2_000);
  });

  it('cuts a 12 KB Origin in the refusal log to a bounded length, with a marker', async () => {
    const origin = `https://${'o'.repeat(12_000)}.example.com`;
    const mark = outputMark();

    const result = await decision(await withSub('alice'), { Origin: origin });

    expect(result).toEqual({ effect: 'Deny', userId: undefined });
    const [line, ...others] = refusalLines(mark);
    expect(others).toEqual([]);
    expect(line?.origin).toBe(`${origin.slice(0, MAX_LOGGED_CLIENT_CHARACTERS)}…[truncated, ${origin.length} characters]`);
    expect(Math.max(...linesSince(mark).map((text) => text.length))).toBeLessThan(2_000);
  });

  it('logs a short Origin and a short jose message whole', async () => {
    const mark = outputMark();

    await decision(await withSub('alice'), { Origin: 'https://evil.example.com' });
    await decision(craftToken({ alg: 'HS256', crit: ['x'], x: 1 }, { sub: 'alice', exp: now() + 600 }, 'c2ln'));

    expect(refusalLines(mark).map((line) => line.origin ?? line.detail)).toEqual(['https://evil.example.com', 'Extension Header Parameter "x" is not recognized']);
  });
});
