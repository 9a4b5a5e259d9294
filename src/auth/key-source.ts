import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { tracer } from '../observability/powertools.ts';
import { instrumentClient } from '../observability/sdk-call-observer.ts';
import type { KeyConfig } from './auth-config.ts';

type VerificationKey = Uint8Array | JWTVerifyGetKey;

/** Where the verification key comes from, and the only algorithms it may verify. */
interface KeySource {
  readonly algorithms: string[];
  key(): Promise<VerificationKey>;
}

/** HMAC secrets verify only HS256; public keys never HS*, so no HS/RS confusion is possible. */
const HMAC_ALGORITHMS = ['HS256'];
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

const encoder = new TextEncoder();

/**
 * Reads the HS256 secret from an SSM SecureString once per cold start. A failed read is not cached,
 * so the next connection tries again.
 */
const ssmSecret = (parameterName: string, client: SSMClient): (() => Promise<Uint8Array>) => {
  let pending: Promise<Uint8Array> | undefined;
  return () => {
    pending ??= client
      .send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }))
      .then(({ Parameter }) => {
        if (!Parameter?.Value) throw new Error(`SSM parameter ${parameterName} has no value`);
        return encoder.encode(Parameter.Value);
      })
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
};

/**
 * @example const source = createKeySource({ kind: 'secret', secret: process.env.JWT_SECRET! });
 */
const createKeySource = (config: KeyConfig, ssmClient?: SSMClient): KeySource => {
  switch (config.kind) {
    case 'secret': {
      const key = encoder.encode(config.secret);
      return { algorithms: HMAC_ALGORITHMS, key: async () => key };
    }
    case 'ssm-parameter': {
      const client = ssmClient ?? instrumentClient(tracer.captureAWSv3Client(new SSMClient({ requestHandler: { requestTimeout: 3_000, throwOnRequestTimeout: true } })), 'ssm');
      return { algorithms: HMAC_ALGORITHMS, key: ssmSecret(config.parameterName, client) };
    }
    case 'jwks': {
      const jwks = createRemoteJWKSet(new URL(config.url), { timeoutDuration: 3_000 });
      return { algorithms: ASYMMETRIC_ALGORITHMS, key: async () => jwks };
    }
  }
};

export type { KeySource, VerificationKey };
export { ASYMMETRIC_ALGORITHMS, createKeySource, HMAC_ALGORITHMS };
