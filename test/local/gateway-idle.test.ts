/**
 * The local gateway's idle timeout, as API Gateway's: data in either direction resets it (a client
 * frame, or an `@connections` post to the client); WebSocket control frames (ping/pong) do not.
 */

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvocationRecorder, requestContextOf } from '#testkit/invocation-recorder.ts';
import { TestClient } from '#testkit/ws-client.ts';
import { type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const IDLE_TIMEOUT_MS = 1_000;

describe('local gateway: what resets the idle timeout', () => {
  const recorder = new InvocationRecorder();
  let gateway: LocalGateway;
  let management: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    gateway = await startLocalGateway({
      port: 0,
      environment: 'local-idle',
      idleTimeoutMs: IDLE_TIMEOUT_MS,
      onInvoke: recorder.onInvoke,
      functionModules: { authorizer: fixture('authorizer.mjs'), connect: fixture('connect.mjs'), disconnect: fixture('disconnect.mjs'), echo: fixture('echo.mjs') },
      routes: { $default: null, echo: 'echo', chat_message: null, ping: null, history: null },
    });
    management = new ApiGatewayManagementApiClient({
      endpoint: gateway.managementEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 120_000);

  afterAll(async () => {
    management?.destroy();
    await gateway?.stop();
  });

  /** From the `$connect` event: the client sends nothing, and no function's cold start eats into the idle timeout. */
  const connectionIdOf = async (user: string): Promise<string> => {
    const record = await recorder.waitFor((candidate) => candidate.routeKey === '$connect' && requestContextOf(candidate).authorizer?.userId === user, `$connect of ${user}`);
    return requestContextOf(record).connectionId as string;
  };

  it('keeps open a connection that only receives @connections posts, well past the idle timeout, then closes it with 1001 once they stop', async () => {
    // Prepare
    const client = await TestClient.connect(gateway.url, { token: 'allow-listener' });
    const connectionId = await connectionIdOf('listener');
    const posts = Math.ceil((3 * IDLE_TIMEOUT_MS) / 200);
    // Act: only the server talks, every 200 ms, for three idle timeouts
    for (let index = 0; index < posts; index += 1) {
      await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify({ type: 'tick', index })) }));
      await sleep(200);
    }
    // Assess
    expect(client.received.filter((frame) => typeof frame === 'object' && frame.type === 'tick')).toHaveLength(posts);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
  });

  it('closes with 1001 a connection that only sends WebSocket pings: control frames are not data', async () => {
    // Prepare
    const client = await TestClient.connect(gateway.url, { token: 'allow-pinger' });
    let pongs = 0;
    client.socket.on('pong', () => {
      pongs += 1;
    });
    // Act
    const pinging = setInterval(() => client.socket.ping(), 100);
    const closed = await client.closed;
    clearInterval(pinging);
    // Assess: the gateway answered the pings, and still closed the connection as idle
    expect(pongs).toBeGreaterThan(0);
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
  });
});
