/**
 * The end-to-end suite: real WebSocket clients over loopback against the local gateway running the
 * project's functions, either from source or from the build's bundles (the deployable artifacts).
 */

import { APIGatewayProxyWebsocketEventSchema } from '@aws-lambda-powertools/parser/schemas';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { fakeAnswer } from '#testkit/fake-answers.ts';
import { InvocationRecorder, requestContextOf } from '#testkit/invocation-recorder.ts';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { type Frame, isChat, isError, isPong, refusalStatus, TestClient } from '#testkit/ws-client.ts';
import { type LocalGateway, startLocalGateway } from '../../../src/local/gateway/gateway.ts';

const SEED_FRAME = '{"action": "chat_message", "data": {"message": "Hello", "sessionId": "test-session"}}';

/**
 * Powertools' schema describes the REQUEST authorizer's input (type, methodArn, multi-value maps).
 * Route events carry no `type`/`methodArn`; they are checked against the same schema's
 * requestContext, body and isBase64Encoded, plus what API Gateway adds per event type.
 */
const { requestContext } = APIGatewayProxyWebsocketEventSchema.shape;
const authorizerContext = z.object({ principalId: z.string(), userId: z.string(), tokenExpiresAt: z.string() }).passthrough();
const RouteEventSchema = APIGatewayProxyWebsocketEventSchema.pick({ isBase64Encoded: true, body: true }).extend({
  requestContext: requestContext.extend({ authorizer: authorizerContext }),
});
const ConnectEventSchema = RouteEventSchema.extend({
  headers: z.record(z.string(), z.string()),
  multiValueHeaders: APIGatewayProxyWebsocketEventSchema.shape.multiValueHeaders,
  queryStringParameters: z.record(z.string(), z.string()),
});
const MessageEventSchema = RouteEventSchema.extend({
  body: z.string(),
  requestContext: RouteEventSchema.shape.requestContext.extend({ messageId: z.string() }),
});
const DisconnectEventSchema = RouteEventSchema.extend({
  requestContext: RouteEventSchema.shape.requestContext.extend({ disconnectStatusCode: z.number(), disconnectReason: z.string() }),
});

const AWS_ID = /^[A-Za-z0-9_-]{15}=$/;

interface SuiteOptions {
  handlers: 'source' | 'dist';
  environment: string;
  /** Runs before the gateway starts (the dist suite builds the bundles when they are stale). */
  prepare?: () => Promise<void> | void;
}

const describeGatewaySuite = ({ handlers, environment, prepare }: SuiteOptions): void => {
  describe(`local gateway end to end (${handlers === 'source' ? 'src/handlers' : 'dist bundles'})`, () => {
    const recorder = new InvocationRecorder();
    let gateway: LocalGateway;
    let management: ApiGatewayManagementApiClient;
    const clients: TestClient[] = [];
    const open = async (user: string, options: { protocols?: string[] } = {}): Promise<TestClient> => {
      const client = await TestClient.connect(gateway.url, { token: await tokenFor(user), ...options });
      clients.push(client);
      return client;
    };
    /** The connection's id, as the pong frame reports it. */
    const connectionIdOf = async (client: TestClient): Promise<string> => {
      client.send({ action: 'ping' });
      return (await client.next(isPong, 'pong')).data.connectionId as string;
    };

    beforeAll(async () => {
      await prepare?.();
      gateway = await startLocalGateway({
        port: 0,
        environment,
        handlers,
        onInvoke: recorder.onInvoke,
        // A bucket that never refills during the run makes the flood test exact; a small cap keeps the cap test short.
        functionEnvironment: { RATE_LIMIT_PER_SECOND: '0.001', MAX_CONNECTIONS_PER_USER: '2' },
        // The assistant as `npm start` runs it: RESPONDER=bedrock, the real SDK, the fake Bedrock at its own pace.
        fakeBedrock: {},
      });
      management = new ApiGatewayManagementApiClient({
        endpoint: gateway.managementEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
    }, 180_000);

    afterAll(async () => {
      await Promise.all(clients.map((client) => client.close()));
      management?.destroy();
      await gateway?.stop();
    });

    it("answers the seed's frame with the user's message and then the assistant's reply", async () => {
      // Prepare
      const user = uniqueUser('alice');
      const client = await open(user);

      // Act
      client.send(SEED_FRAME);
      const mine = await client.next(isChat('user'), "the user's message");
      const reply = await client.next(isChat('assistant'), "the assistant's reply");

      // Assess
      expect(mine.data).toEqual({
        messageId: expect.any(String),
        sessionId: 'test-session',
        userId: user,
        role: 'user',
        message: 'Hello',
        createdAt: expect.any(String),
      });
      expect(reply.data).toMatchObject({ sessionId: 'test-session', userId: user, role: 'assistant', message: fakeAnswer('Hello') });
      expect(client.received.indexOf(mine)).toBeLessThan(client.received.indexOf(reply));
      expect(reply.data.messageId > mine.data.messageId).toBe(true);
    });

    it('streams the answer of the fake Bedrock in chunks that add up to the reply, and gives the model the conversation so far', async () => {
      const user = uniqueUser('amy');
      const client = await open(user);
      const ask = async (message: string) => {
        client.send({ action: 'chat_message', data: { message, sessionId: 'context' } });
        return client.next(isChat('assistant'), `the reply to ${message}`);
      };

      const first = await ask('What is DynamoDB?');
      const second = await ask('And Lambda?');

      const chunks = client.received.filter(
        (frame): frame is Frame => typeof frame === 'object' && frame.type === 'chat_message_chunk' && frame.data.messageId === second.data.messageId,
      );
      expect(first.data.message).toBe(fakeAnswer('What is DynamoDB?'));
      expect(second.data.message).toBe(fakeAnswer('And Lambda?', 2));
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.map((frame) => frame.data.seq)).toEqual(chunks.map((_, index) => index));
      expect(chunks.map((frame) => frame.data.delta).join('')).toBe(second.data.message);
      expect(client.received.indexOf(chunks.at(-1) as Frame)).toBeLessThan(client.received.indexOf(second));
      const lastRequest = gateway.fakeBedrock?.requests.findLast((request) => request.conversation?.messages.at(-1)?.text === 'And Lambda?');
      expect(lastRequest?.conversation?.messages.map((turn) => `${turn.role}: ${turn.text}`)).toEqual([
        'user: What is DynamoDB?',
        `assistant: ${fakeAnswer('What is DynamoDB?')}`,
        'user: And Lambda?',
      ]);
    });

    // Depends on the message route carrying the model's outcome on the reply (contract, step 4).
    it("reports a model reply's status, stop reason and token usage on the chat_message", async () => {
      const client = await open(uniqueUser('bea'));

      client.send({ action: 'chat_message', data: { message: 'How much did this cost?', sessionId: 'usage' } });
      const reply = await client.next(isChat('assistant'), 'the reply');

      expect(reply.data).toMatchObject({ status: 'complete', stopReason: 'end_turn', usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) } });
      expect(reply.data.usage.outputTokens).toBeGreaterThan(0);
    });

    it('delivers a message to every connection of the user', async () => {
      const user = uniqueUser('alice');
      const first = await open(user);
      const second = await open(user);

      first.send({ action: 'chat_message', data: { message: 'to both', sessionId: 'fan-out', clientMessageId: 'c-1' } });

      for (const client of [first, second]) {
        const mine = await client.next(isChat('user', 'to both'), "the user's message");
        expect(mine.data).toMatchObject({ userId: user, clientMessageId: 'c-1' });
        await client.next(isChat('assistant', fakeAnswer('to both')), 'the reply');
      }
    });

    it('keeps two users with the same sessionId apart', async () => {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      const aliceClient = await open(alice);
      const bobClient = await open(bob);

      aliceClient.send({ action: 'chat_message', data: { message: 'from alice', sessionId: 'shared-name' } });
      bobClient.send({ action: 'chat_message', data: { message: 'from bob', sessionId: 'shared-name' } });
      await aliceClient.next(isChat('assistant', fakeAnswer('from alice')), "alice's reply");
      await bobClient.next(isChat('assistant', fakeAnswer('from bob')), "bob's reply");
      aliceClient.send({ action: 'history', data: { sessionId: 'shared-name' } });
      bobClient.send({ action: 'history', data: { sessionId: 'shared-name' } });
      const aliceHistory = await aliceClient.next((frame) => frame.type === 'history', "alice's history");
      const bobHistory = await bobClient.next((frame) => frame.type === 'history', "bob's history");

      expect(aliceHistory.data.messages.map((m: { message: string }) => m.message)).toEqual(['from alice', fakeAnswer('from alice')]);
      expect(bobHistory.data.messages.map((m: { message: string }) => m.message)).toEqual(['from bob', fakeAnswer('from bob')]);
      const chatFrames = (client: TestClient) => client.received.filter((f) => typeof f === 'object' && f.type === 'chat_message');
      expect(chatFrames(aliceClient).every((f) => (f as { data: { userId: string } }).data.userId === alice)).toBe(true);
      expect(chatFrames(bobClient).every((f) => (f as { data: { userId: string } }).data.userId === bob)).toBe(true);
    });

    it('refuses a bad token with 401 and runs no route function', async () => {
      const before = recorder.records.length;

      const refused = await refusalStatus(gateway.url, { token: 'not-a-jwt' });
      const expired = await refusalStatus(gateway.url, { token: await tokenFor('carol', { ttlSeconds: -60 }) });

      expect(refused.status).toBe(401);
      expect(expired.status).toBe(401);
      expect(JSON.parse(refused.body)).toEqual({ message: 'Unauthorized' });
      expect(recorder.routesOfConnectionsSince(before)).toEqual([['authorizer'], ['authorizer']]);
    });

    it('refuses a connection without a token with 401 without invoking the authorizer', async () => {
      const before = recorder.records.length;

      const refused = await refusalStatus(gateway.url);

      expect(refused.status).toBe(401);
      expect(recorder.records.length).toBe(before);
    });

    it("refuses the handshake with $connect's status when the user is over the connection cap", async () => {
      const user = uniqueUser('dave');
      await open(user);
      await open(user);

      const refused = await refusalStatus(gateway.url, { token: await tokenFor(user) });

      expect(refused.status).toBe(429);
    });

    it('echoes the first offered subprotocol, as $connect chooses it', async () => {
      const client = await open(uniqueUser('erin'), { protocols: ['chat.v1', 'chat.v0'] });

      expect(client.socket.protocol).toBe('chat.v1');
    });

    it('answers an unknown action with UNKNOWN_ACTION and a non-JSON frame with BAD_REQUEST', async () => {
      const client = await open(uniqueUser('frank'));

      client.send({ action: 'dance', data: {} });
      client.send('this is not json');

      const unknown = await client.next(isError('UNKNOWN_ACTION'), 'UNKNOWN_ACTION');
      const bad = await client.next(isError('BAD_REQUEST'), 'BAD_REQUEST');
      expect(unknown.requestId).toEqual(expect.any(String));
      expect(bad.error.message).toEqual(expect.any(String));
    });

    it('answers an invalid payload with VALIDATION_ERROR naming the field', async () => {
      const client = await open(uniqueUser('grace'));

      client.send({ action: 'chat_message', data: { message: 'hi', sessionId: 'not a valid id!' } });

      const error = await client.next(isError('VALIDATION_ERROR'), 'VALIDATION_ERROR');
      expect(JSON.stringify(error.error)).toContain('sessionId');
    });

    it('closes with 1009 on a frame above 32 KB and reports it to $disconnect', async () => {
      const client = await open(uniqueUser('heidi'));
      const connectionId = await connectionIdOf(client);

      client.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(33 * 1024) }));

      expect((await client.closed).code).toBe(1009);
      const disconnect = await recorder.waitForDisconnect(connectionId);
      expect(requestContextOf(disconnect).disconnectStatusCode).toBe(1009);
    });

    it('closes with 1009 on a fragmented message above 128 KB, and accepts one below it', async () => {
      const client = await open(uniqueUser('ivan'));
      const sendFragmented = (text: string) => {
        const bytes = Buffer.from(text);
        for (let offset = 0; offset < bytes.length; offset += 16 * 1024) {
          const end = Math.min(offset + 16 * 1024, bytes.length);
          client.socket.send(bytes.subarray(offset, end), { binary: false, fin: end === bytes.length });
        }
      };

      sendFragmented(JSON.stringify({ action: 'dance', pad: 'x'.repeat(60 * 1024) }));
      await client.next(isError('UNKNOWN_ACTION'), 'UNKNOWN_ACTION for the 60 KB message');
      sendFragmented(JSON.stringify({ action: 'dance', pad: 'x'.repeat(130 * 1024) }));

      expect((await client.closed).code).toBe(1009);
    });

    it('closes with 1003 on a binary frame and reports it to $disconnect', async () => {
      const client = await open(uniqueUser('judy'));
      const connectionId = await connectionIdOf(client);

      client.socket.send(Buffer.from([1, 2, 3]), { binary: true });

      expect((await client.closed).code).toBe(1003);
      const disconnect = await recorder.waitForDisconnect(connectionId);
      expect(requestContextOf(disconnect).disconnectStatusCode).toBe(1003);
    });

    it("rate limits a flood from one connection while another user's frames go through", async () => {
      const flooder = await open(uniqueUser('mallory'));
      const bystander = await open(uniqueUser('oscar'));

      for (let index = 0; index < 15; index += 1) flooder.send({ action: 'ping' });
      const answers = await flooder.collect(15, (frame) => isPong(frame) || isError('RATE_LIMITED')(frame), 'answers');
      bystander.send({ action: 'ping' });

      const limited = answers.filter(isError('RATE_LIMITED'));
      expect(answers.filter(isPong)).toHaveLength(10);
      expect(limited).toHaveLength(5);
      expect(limited.every((frame) => frame.error.retryAfterMs > 0)).toBe(true);
      await bystander.next(isPong, "the bystander's pong");
    });

    it('serves the management API to the real SDK: post, get, delete, then GoneException', async () => {
      const client = await open(uniqueUser('peggy'));
      const connectionId = await connectionIdOf(client);

      await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('{"type":"notice"}') }));
      const notice = await client.next((frame) => frame.type === 'notice', 'the posted frame');
      const info = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      const closed = await client.closed;

      expect(notice).toEqual({ type: 'notice' });
      expect(info.ConnectedAt).toBeInstanceOf(Date);
      expect(info.LastActiveAt).toBeInstanceOf(Date);
      expect((info.LastActiveAt as Date).getTime()).toBeGreaterThanOrEqual((info.ConnectedAt as Date).getTime());
      expect(info.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'e2e-test-client' });
      expect(closed.code).toBe(1000);
      await expect(management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('{}') }))).rejects.toBeInstanceOf(GoneException);
      await expect(management.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
      const disconnect = await recorder.waitForDisconnect(connectionId);
      expect(requestContextOf(disconnect)).toMatchObject({ disconnectStatusCode: 1000, disconnectReason: 'Connection Closed Normally' });
    });

    it("answers a frame after the token's expiry with FORBIDDEN and closes the connection", async () => {
      const expiresAt = Math.floor(Date.now() / 1000) + 2;
      const client = await TestClient.connect(gateway.url, { token: await tokenFor(uniqueUser('ursula'), { ttlSeconds: 2 }) });
      clients.push(client);
      while (Date.now() < expiresAt * 1000) await new Promise((resolve) => setTimeout(resolve, 100));

      client.send({ action: 'ping' });

      const error = await client.next(isError('FORBIDDEN'), 'FORBIDDEN');
      expect(error.error.message).toMatch(/expired/i);
      expect((await client.closed).code).toBe(1000);
    });

    it("emits events shaped like API Gateway's, validated by Powertools' schema", async () => {
      const user = uniqueUser('trent');
      const client = await open(user);
      const connectionId = await connectionIdOf(client);
      await client.close(1000, 'bye');
      await recorder.waitForDisconnect(connectionId);

      const events = Object.fromEntries(recorder.forConnection(connectionId).map((record) => [record.routeKey, record.event]));
      expect(Object.keys(events).sort()).toEqual(['$connect', '$disconnect', 'authorizer', 'ping']);
      const domainName = new URL(gateway.url).host;

      const authorizer = APIGatewayProxyWebsocketEventSchema.parse(events.authorizer);
      expect(authorizer.methodArn).toMatch(/^arn:aws:execute-api:us-east-1:\d{12}:[a-z0-9]{10}\/dev\/\$connect$/);
      expect(authorizer.queryStringParameters).toHaveProperty('token');
      const connect = ConnectEventSchema.parse(events.$connect);
      const message = MessageEventSchema.parse(events.ping);
      const disconnect = DisconnectEventSchema.parse(events.$disconnect);

      for (const event of [authorizer, connect, message, disconnect]) {
        expect(event.requestContext).toMatchObject({
          connectionId,
          stage: 'dev',
          domainName,
          apiId: authorizer.requestContext.apiId,
          messageDirection: 'IN',
          identity: { sourceIp: '127.0.0.1', userAgent: 'e2e-test-client' },
        });
        expect(event.requestContext.connectionId).toMatch(AWS_ID);
        expect(event.requestContext.requestId).toMatch(AWS_ID);
        expect(event.requestContext.connectedAt).toBe(authorizer.requestContext.connectedAt);
      }
      expect(domainName).toMatch(/:\d+$/);
      const authorizerContext = { principalId: user, userId: user };
      expect(connect.requestContext).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT', authorizer: authorizerContext });
      expect(connect.headers).toMatchObject({ Host: domainName, 'User-Agent': 'e2e-test-client' });
      expect(message.requestContext).toMatchObject({ routeKey: 'ping', eventType: 'MESSAGE', authorizer: authorizerContext });
      expect(message.requestContext.messageId).toMatch(AWS_ID);
      expect(message).toMatchObject({ body: '{"action":"ping"}', isBase64Encoded: false });
      expect(disconnect.requestContext).toMatchObject({
        routeKey: '$disconnect',
        eventType: 'DISCONNECT',
        disconnectStatusCode: 1000,
        disconnectReason: 'bye',
      });
    });
  });
};

export { describeGatewaySuite, SEED_FRAME };
