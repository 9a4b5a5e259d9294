/**
 * Reads a JWT's `exp` without verifying it (the server verifies). The client only uses it to avoid
 * connecting with a token that is already expired, which the server would refuse.
 */
const tokenExpiresAtMs = (token: string): number | undefined => {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const claims: unknown = JSON.parse(atob(base64));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
};

/** True when the token carries an `exp` at or before `nowMs + marginMs`; opaque tokens are never "expired". */
const isExpired = (token: string, nowMs: number, marginMs = 0): boolean => {
  const expiresAt = tokenExpiresAtMs(token);
  return expiresAt !== undefined && expiresAt <= nowMs + marginMs;
};

export { isExpired, tokenExpiresAtMs };
