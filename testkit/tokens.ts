import { SignJWT } from 'jose';
import { type DevTokenOptions, mintDevToken } from '../src/local/dev-token.ts';
import { registerSecret } from './output.ts';

const TEST_SECRET = 'test-secret-that-is-at-least-32-characters-long';

interface MintOptions {
  sub?: string | undefined;
  expiresInSeconds?: number | undefined;
  secret?: string;
  issuer?: string;
  audience?: string;
  notBefore?: number;
  omitExp?: boolean;
}

/** Signs an HS256 token and registers it, so any log line that contains it fails the test file. */
const mintToken = async (options: MintOptions = {}): Promise<string> => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(nowSeconds);
  if (options.sub !== undefined) jwt.setSubject(options.sub);
  if (!options.omitExp) jwt.setExpirationTime(nowSeconds + (options.expiresInSeconds ?? 3600));
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  const token = await jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
  registerSecret(token);
  return token;
};

/** A dev token for `user` (as the local gateway's authorizer accepts), registered so the run fails if it ever shows up in the output. */
const tokenFor = async (user: string, options: Omit<DevTokenOptions, 'user'> = {}): Promise<string> => {
  const token = await mintDevToken({ user, ...options });
  registerSecret(token);
  return token;
};

/** A unique user id per test, so tests sharing a gateway never share a user's sessions. */
let users = 0;
const uniqueUser = (name: string): string => `${name}-${process.pid}-${++users}`;

export { mintToken, TEST_SECRET, tokenFor, uniqueUser };
