import { SignJWT } from 'jose';
import { DEV_JWT_SECRET, LOCAL_DEFAULTS } from './dev-config.ts';

interface DevTokenOptions {
  /** The token's `sub`: the user the authorizer will say connected. */
  user: string;
  /** @default 3600 */
  ttlSeconds?: number;
  /** @default the dev secret */
  secret?: string;
  /** Set when the authorizer checks `iss` (JWT_ISSUER). */
  issuer?: string;
  /** Set when the authorizer checks `aud` (JWT_AUDIENCE). */
  audience?: string;
  /** @default now */
  nowSeconds?: number;
}

/**
 * Mints an HS256 token the local authorizer accepts.
 * @example const token = await mintDevToken({ user: 'alice' });
 */
const mintDevToken = async (options: DevTokenOptions): Promise<string> => {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.user)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? LOCAL_DEFAULTS.tokenTtlSeconds));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? DEV_JWT_SECRET));
};

export type { DevTokenOptions };
export { mintDevToken };
