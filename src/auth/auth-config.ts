import { ConfigurationError, type EnvironmentSource, listEnv, optionalEnv } from '../config/env.ts';

type KeyConfig = { kind: 'secret'; secret: string } | { kind: 'ssm-parameter'; parameterName: string } | { kind: 'jwks'; url: string };

interface AuthConfig {
  key: KeyConfig;
  issuer?: string;
  audience?: string;
  allowedOrigins: string[];
}

/** Exactly one key source must be configured: JWT_SECRET, JWT_SECRET_PARAMETER or JWT_JWKS_URL. */
const loadAuthConfig = (source: EnvironmentSource = process.env): AuthConfig => {
  const secret = optionalEnv('JWT_SECRET', source);
  const parameterName = optionalEnv('JWT_SECRET_PARAMETER', source);
  const jwksUrl = optionalEnv('JWT_JWKS_URL', source);
  const configured = [secret, parameterName, jwksUrl].filter((value) => value !== undefined).length;
  if (configured !== 1) {
    throw new ConfigurationError(`Set exactly one of JWT_SECRET, JWT_SECRET_PARAMETER or JWT_JWKS_URL (${configured} are set)`);
  }
  let key: KeyConfig;
  if (secret !== undefined) {
    if (secret.length < 32) throw new ConfigurationError('JWT_SECRET must be at least 32 characters (HS256 needs 256 bits)');
    key = { kind: 'secret', secret };
  } else if (parameterName !== undefined) {
    key = { kind: 'ssm-parameter', parameterName };
  } else {
    try {
      key = { kind: 'jwks', url: new URL(jwksUrl as string).toString() };
    } catch {
      throw new ConfigurationError(`JWT_JWKS_URL is not a valid URL: "${jwksUrl}"`);
    }
  }
  const issuer = optionalEnv('JWT_ISSUER', source);
  const audience = optionalEnv('JWT_AUDIENCE', source);
  return {
    key,
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
    allowedOrigins: listEnv('ALLOWED_ORIGINS', source),
  };
};

export type { AuthConfig, KeyConfig };
export { loadAuthConfig };
