/**
 * API Gateway behaviour of the local gateway, driven with fixture functions so every outcome can be
 * provoked: authorizer results, $connect statuses, subprotocols, AWS's own frames, limits, the
 * management API's errors, and Lambda-like sandboxes.
 */

import { join } from 'node:path';
import { ApiGatewayManagementApiClient, GoneException, PayloadTooLargeException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvocationRecorder, requestContextOf } from '#testkit/invocation-recorder.ts';
import { type Frame, refusalStatus, TestClient } from '#testkit/ws-client.ts';
import { type InvocationRecord, type LocalGateway, type LocalGatewayOptions, startLocalGateway } from '../../src/local/gateway/gateway.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const ENVIRONMENT = 'local-behaviour';

const fixtureGateway = (options: LocalGatewayOptions = {}) =>
  startLocalGateway({
    port: 0,
    environment: ENVIRONMENT,
    functionModules: {
      authorizer: fixture('authorizer.mjs'),
      connect: fixture('connect.mjs'),
      disconnect: fixture('disconnect.mjs'),
      echo: fixture('echo.mjs'),
      throwing: fixture('throwing.mjs'),
    },
    routes: { $default: null, echo: 'echo', fail: 'throwing', chat_message: null, ping: null, history: null },
    ...options,
  });

const isEcho = (frame: Frame) => frame.type === 'echo';

describe('local gateway: API Gateway behaviour', () => {
  const recorder = new InvocationRecorder();
  let gateway: LocalGateway;
  const clients: TestClient[] = [];
  const open = async (token: string, query = '', protocols?: string[]) => {
    const client = await TestClient.connect(`${gateway.url}${query}`, { token, ...(protocols ? { protocols } : {}) });
    clients.push(client);
    return client;
  };
  const urlWith = (query: string) => `${gateway.url}?${query}`;

  beforeAll(async () => {
    gateway = await fixtureGateway({
      onInvoke: recorder.onInvoke,
      onHttpRequest: (req, res) => {
        if (req.url !== '/hello') return false;
        res.end('hi');
        return true;
      },
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await gateway?.stop();
  });

  describe('handshake', () => {
    it.each([
      ['unauthorized', 401, { message: 'Unauthorized' }],
      ['deny', 403, { message: 'Forbidden' }],
      ['wrong-resource', 403, { message: 'Forbidden' }],
      ['throw', 500, { message: 'Internal server error' }],
      ['bad-context', 500, { message: 'Internal server error' }],
    ])('answers an authorizer that returns "%s" with %i', async (token, status, body) => {
      const refused = await refusalStatus(urlWith(`token=${token}`));

      expect(refused.status).toBe(status);
      expect(JSON.parse(refused.body)).toEqual(body);
    });

    it("passes the authorizer's context, as strings, and principalId on every later event", async () => {
      const client = await open('allow-walter');

      client.send({ action: 'echo' });
      const echo = await client.next(isEcho, 'echo');

      expect(echo.authorizer).toEqual({
        principalId: 'walter',
        userId: 'walter',
        tokenExpiresAt: '4102444800',
        admin: 'false',
        integrationLatency: expect.any(Number),
      });
      const connect = recorder.forConnection(echo.connectionId).find((record) => record.routeKey === '$connect');
      expect(connect && requestContextOf(connect).authorizer).toEqual(echo.authorizer);
    });

    it("refuses the handshake with $connect's status and body, and runs no $disconnect", async () => {
      const before = recorder.records.length;

      const refused = await refusalStatus(urlWith('token=allow-xavier&mode=refuse'));
      const failed = await refusalStatus(urlWith('token=allow-xavier&mode=throw'));

      expect(refused).toEqual({ status: 409, body: '{"message":"Conflict from $connect"}' });
      expect(failed.status).toBe(500);
      expect(recorder.routesOfConnectionsSince(before)).toEqual([
        ['authorizer', '$connect'],
        ['authorizer', '$connect'],
      ]);
    });

    it('refuses a path other than the stage with 403', async () => {
      const refused = await refusalStatus(gateway.url.replace(/\/dev$/, '/prod'), { token: 'allow-yvonne' });

      expect(refused.status).toBe(403);
    });

    it('fails the handshake when the client offered a subprotocol and $connect did not echo it', async () => {
      const attempt = TestClient.connect(`${gateway.url}?mode=no-echo`, { token: 'allow-zoe', protocols: ['chat.v1'] });

      await expect(attempt).rejects.toThrow(/subprotocol/);
    });

    it('answers 410 GoneException to a post made during $connect', async () => {
      // The fixture's $connect posts to its own connection and accepts only when that post was Gone.
      const client = await open('allow-amy', '?mode=post-self');

      expect(client.socket.readyState).toBe(client.socket.OPEN);
    });
  });

  describe('frames', () => {
    it('answers a frame no route matches, with no $default, with the Forbidden frame', async () => {
      const client = await open('allow-bert');
      client.send({ action: 'echo' });
      const { connectionId } = await client.next(isEcho, 'echo');

      client.send({ action: 'nothing-here' });
      const raw = await new Promise<string>((resolve) => client.socket.once('message', (data: Buffer) => resolve(data.toString())));

      expect(raw).toMatch(new RegExp(`^\\{"message": "Forbidden", "connectionId":"${connectionId}", "requestId":"[A-Za-z0-9_-]{15}="\\}$`));
    });

    it('answers a frame whose function throws with the Internal server error frame', async () => {
      const client = await open('allow-cleo');

      client.send({ action: 'fail' });
      const frame = await client.next((candidate) => candidate.message === 'Internal server error', 'the error frame');

      expect(Object.keys(frame)).toEqual(['message', 'connectionId', 'requestId']);
    });

    it('runs each function in a warm sandbox with its own environment and a Lambda context', async () => {
      const client = await open('allow-dora');

      const echoes: Frame[] = [];
      for (let index = 0; index < 3; index += 1) {
        client.send({ action: 'echo', n: index });
        const echo = await client.next(isEcho, `echo ${index}`);
        echoes.push(echo);
        // The function posts before it returns: wait until it has returned, so the sandbox is free again.
        const returned = (record: InvocationRecord) => record.routeKey === 'echo' && (record.event as { body: string }).body === echo.body;
        await recorder.waitFor(returned, 'the echo to return');
      }

      expect(new Set(echoes.map((echo) => echo.sandbox.threadId)).size).toBe(1);
      expect(echoes.map((echo) => echo.sandbox.invocations)).toEqual([1, 2, 3].map((n) => n + echoes[0]?.sandbox.invocations - 1));
      expect(echoes[0]?.env).toEqual({
        functionName: `${ENVIRONMENT}-websocket-echo`,
        connectionsTable: `${ENVIRONMENT}-chatbot-connections`,
        hasJwtSecret: false,
        managementEndpoint: gateway.managementEndpoint,
      });
      expect(echoes[0]?.context).toMatchObject({
        functionName: `${ENVIRONMENT}-websocket-echo`,
        awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        memoryLimitInMB: '256',
        logGroupName: `/aws/lambda/${ENVIRONMENT}-websocket-echo`,
      });
      expect(echoes[0]?.context.remainingMs).toBeGreaterThan(0);
    });
  });

  describe('management API', () => {
    const sdk = () =>
      new ApiGatewayManagementApiClient({
        endpoint: gateway.managementEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });

    it('answers an unknown connection with 410 and the GoneException error type', async () => {
      const response = await fetch(`${gateway.managementEndpoint}/@connections/${encodeURIComponent('AAAAAAAAAAAAAAA=')}`, {
        method: 'POST',
        body: 'hello',
      });

      expect(response.status).toBe(410);
      expect(response.headers.get('x-amzn-errortype')).toBe('GoneException');
      expect(await response.json()).toEqual(expect.any(Object));
      const post = sdk().send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: Buffer.from('x') }));
      await expect(post).rejects.toBeInstanceOf(GoneException);
    });

    it('leaves other HTTP requests to onHttpRequest, else answers like API Gateway', async () => {
      const base = gateway.managementEndpoint.replace(/\/dev$/, '');

      const [hello, stage, other] = await Promise.all([fetch(`${base}/hello`), fetch(`${base}/dev`), fetch(`${base}/other`)]);

      expect(await hello.text()).toBe('hi');
      expect(stage.status).toBe(426);
      expect(other.status).toBe(403);
    });

    it('answers another stage with 403', async () => {
      const response = await fetch(`${gateway.managementEndpoint.replace(/\/dev$/, '/prod')}/@connections/abc`, { method: 'GET' });

      expect(response.status).toBe(403);
    });

    it('delivers a 100 KB post whole, in 32 KB frames, and refuses one above 128 KB', async () => {
      const client = await open('allow-emil');
      client.send({ action: 'echo' });
      const { connectionId } = await client.next(isEcho, 'echo');
      const big = JSON.stringify({ type: 'big', pad: 'y'.repeat(100 * 1024) });

      await sdk().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(big) }));
      const received = await client.next((frame) => frame.type === 'big', 'the big frame');

      expect(received.pad).toHaveLength(100 * 1024);
      await expect(sdk().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(129 * 1024, 'z') }))).rejects.toBeInstanceOf(PayloadTooLargeException);
    });
  });
});

describe('local gateway: connection lifetime', () => {
  const recorder = new InvocationRecorder();
  let idleGateway: LocalGateway;
  let lifetimeGateway: LocalGateway;

  beforeAll(async () => {
    idleGateway = await fixtureGateway({ idleTimeoutMs: 300, onInvoke: recorder.onInvoke });
    lifetimeGateway = await fixtureGateway({ maxConnectionDurationMs: 800, onInvoke: recorder.onInvoke });
  }, 120_000);

  afterAll(async () => {
    await idleGateway?.stop();
    await lifetimeGateway?.stop();
  });

  it('closes an idle connection with 1001 and reports it to $disconnect', async () => {
    const client = await TestClient.connect(idleGateway.url, { token: 'allow-fay' });

    const closed = await client.closed;

    expect(closed.code).toBe(1001);
    const disconnect = await recorder.waitFor((record) => record.routeKey === '$disconnect', '$disconnect');
    expect(requestContextOf(disconnect)).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
  });

  it('closes a busy connection at its maximum duration with 1001', async () => {
    const client = await TestClient.connect(lifetimeGateway.url, { token: 'allow-gus' });
    const keepBusy = setInterval(() => client.send({ action: 'echo' }), 100);

    const closed = await client.closed;
    clearInterval(keepBusy);

    // Its idle timeout is the default 10 minutes: only the maximum duration can have closed it.
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
  });
});
