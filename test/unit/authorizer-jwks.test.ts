import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { authorizerEvent } from '#testkit/authorizer-events.ts';
import { lambdaContext } from '#testkit/events.ts';
import { registerSecret } from '#testkit/output.ts';

let server: Server;
let handler: (...args: any[]) => Promise<any>;
let privateKey: CryptoKey;
let publicKey: CryptoKey;

beforeAll(async () => {
  ({ privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true }));
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.JWT_JWKS_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  ({ handler } = await import('../../src/handlers/authorizer.ts'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const exp = () => Math.floor(Date.now() / 1000) + 600;
const authorize = (token: string) => handler(authorizerEvent(token), lambdaContext('test-websocket-authorizer'));
const remember = (token: string) => {
  registerSecret(token);
  return token;
};

describe('authorizer with a JWKS (an OIDC issuer such as Cognito)', () => {
  it('allows an RS256 token signed by a key in the JWKS', async () => {
    const token = remember(await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setSubject('oidc-user').setExpirationTime(exp()).sign(privateKey));
    await expect(authorize(token)).resolves.toMatchObject({ principalId: 'oidc-user', context: { userId: 'oidc-user' } });
  });

  it('refuses an HS256 token keyed with the public key (HS/RS confusion)', async () => {
    const publicPem = new TextEncoder().encode(await exportSPKI(publicKey));
    const token = remember(await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).setSubject('mallory').setExpirationTime(exp()).sign(publicPem));
    await expect(authorize(token)).rejects.toThrow(/^Unauthorized$/);
  });

  it('refuses a token signed by a key the JWKS does not hold', async () => {
    const other = await generateKeyPair('RS256');
    const token = remember(await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'key-2' }).setSubject('mallory').setExpirationTime(exp()).sign(other.privateKey));
    await expect(authorize(token)).rejects.toThrow(/^Unauthorized$/);
  });
});
