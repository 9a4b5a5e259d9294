import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authorizerEvent } from '#testkit/authorizer-events.ts';
import { lambdaContext } from '#testkit/events.ts';
import { recordedAs } from '#testkit/sdk-calls/call-recorder.ts';
import { mintToken, TEST_SECRET } from '#testkit/tokens.ts';

const PARAMETER = '/chatbot/test/jwt-secret';

/** A loopback stand-in for SSM's GetParameter (awsJson1_1), so the real SDK client and its retries run. */
let server: Server;
const requests: Array<{ target: string | undefined; body: { Name?: string; WithDecryption?: boolean } }> = [];
let failuresLeft = 0;
let handler: (...args: any[]) => Promise<any>;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ target: request.headers['x-amz-target'] as string, body: JSON.parse(Buffer.concat(chunks).toString()) });
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalServerError', message: 'boom' }));
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ Parameter: { Name: PARAMETER, Type: 'SecureString', Value: TEST_SECRET, Version: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_SSM = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.JWT_SECRET_PARAMETER = PARAMETER;
  // Its SSM call is recorded as the authorizer's (test/iam-observed): the only suite with an SSM peer.
  handler = recordedAs('authorizer', (await import('../../src/handlers/authorizer.ts')).handler);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const authorize = async () => handler(authorizerEvent(await mintToken({ sub: 'sam' })), lambdaContext('test-websocket-authorizer'));

describe('authorizer with the HS256 secret in SSM Parameter Store', () => {
  it('refuses (401, not 500) while SSM fails, after the SDK retried, and does not cache the failure', async () => {
    failuresLeft = 3;
    await expect(authorize()).rejects.toThrow(/^Unauthorized$/);
    expect(requests).toHaveLength(3);
    await expect(authorize()).resolves.toMatchObject({ context: { userId: 'sam' } });
  });

  it('reads the SecureString decrypted, once, however many connections follow', async () => {
    const before = requests.length;
    await authorize();
    await authorize();
    expect(requests.length).toBe(before);
    expect(requests.at(-1)).toEqual({ target: 'AmazonSSM.GetParameter', body: { Name: PARAMETER, WithDecryption: true } });
  });
});
