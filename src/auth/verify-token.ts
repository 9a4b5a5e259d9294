import { jwtVerify } from 'jose';
import { numericDateProblem, subjectProblem } from './claims.ts';
import type { KeySource } from './key-source.ts';

/** Seconds of clock difference tolerated on exp/nbf/iat between the issuer and us. */
const CLOCK_TOLERANCE_SECONDS = 5;

interface VerifiedIdentity {
  userId: string;
  /** epoch seconds */
  expiresAt: number;
}

interface VerifyOptions {
  issuer?: string;
  audience?: string;
  currentDate?: Date;
}

class InvalidTokenError extends Error {
  public readonly code: string;

  public constructor(code: string, message: string) {
    super(message);
    this.name = 'InvalidTokenError';
    this.code = code;
  }
}

/**
 * Verifies a JWT with an explicit algorithm allow-list. `exp` and `sub` are required (jose accepts a
 * token without `exp` unless told), `nbf` is honoured, `iss`/`aud` are checked when configured, and
 * the claims the backend stores are bounded (src/auth/claims.ts): a `sub` the tables can key on,
 * finite dates. Throws on anything else; the caller turns every throw into a refusal.
 */
const verifyToken = async (token: unknown, source: KeySource, options: VerifyOptions = {}): Promise<VerifiedIdentity> => {
  if (typeof token !== 'string' || token.length === 0) throw new InvalidTokenError('ERR_NO_TOKEN', 'No token in the query string');
  const key = await source.key();
  const { payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
    algorithms: source.algorithms,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.currentDate === undefined ? {} : { currentDate: options.currentDate }),
  });
  const problem = numericDateProblem(payload) ?? subjectProblem(payload.sub);
  if (problem) throw new InvalidTokenError(problem.code, problem.message);
  return { userId: payload.sub as string, expiresAt: payload.exp as number };
};

export type { VerifiedIdentity, VerifyOptions };
export { CLOCK_TOLERANCE_SECONDS, InvalidTokenError, verifyToken };
