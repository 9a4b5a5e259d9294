/**
 * API Gateway's integration timeout on the local gateway (shortened): a route function running longer
 * gets AWS's timeout frame sent on its socket while it runs on, and what it posts later still arrives.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvocationRecorder } from '#testkit/invocation-recorder.ts';
import { type Frame, TestClient } from '#testkit/ws-client.ts';
import { type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const isGatewayFrame = (frame: Frame) => typeof frame.message === 'string';

describe("local gateway: API Gateway's integration timeout", () => {
  const recorder = new InvocationRecorder();
  const files = mkdtempSync(join(tmpdir(), 'integration-timeout-'));
  let gateway: LocalGateway;
  const clients: TestClient[] = [];
  const open = async (user: string) => {
    const client = await TestClient.connect(gateway.url, { token: `allow-${user}` });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    gateway = await startLocalGateway({
      port: 0,
      environment: 'local-integration-timeout',
      functionModules: {
        authorizer: fixture('authorizer.mjs'),
        connect: fixture('connect.mjs'),
        disconnect: fixture('disconnect.mjs'),
        slow: fixture('slow-route.mjs'),
      },
      routes: { $default: null, slow: 'slow', chat_message: null, ping: null, history: null, cancel: null },
      integrationTimeoutMs: 300,
      onInvoke: recorder.onInvoke,
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await gateway?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it("sends AWS's timeout frame while the function runs on, and the function's later posts still arrive", async () => {
    const client = await open('tess');
    const releaseFile = join(files, 'release-posts');

    client.send({ action: 'slow', releaseFile });
    const timedOut = await client.next(isGatewayFrame, 'the timeout frame');
    const lateBeforeRelease = client.received.filter((frame) => typeof frame === 'object' && frame.type === 'late').length;
    writeFileSync(releaseFile, '');
    const late = await client.next((frame) => frame.type === 'late', 'the post made after the timeout');

    expect(timedOut).toEqual({ message: 'Endpoint request timed out', connectionId: late.connectionId, requestId: late.requestId });
    expect(lateBeforeRelease).toBe(0);
    expect(client.received.indexOf(timedOut)).toBeLessThan(client.received.indexOf(late));
  });

  it('sends nothing more when the function fails after the timeout: API Gateway no longer waits for it', async () => {
    const client = await open('ulla');
    const releaseFile = join(files, 'release-throw');
    client.send({ action: 'slow', releaseFile, thenThrow: true });
    await client.next(isGatewayFrame, 'the timeout frame');

    writeFileSync(releaseFile, '');
    const late = await client.next((frame) => frame.type === 'late', 'the post made after the timeout');
    await recorder.waitFor((record) => record.routeKey === 'slow' && !record.outcome.ok, 'the failed slow invocation');
    // A post of the test's own: any frame the gateway sent for the failure would arrive before it.
    await fetch(`${gateway.managementEndpoint}/@connections/${encodeURIComponent(late.connectionId)}`, { method: 'POST', body: '{"type":"marker"}' });
    await client.next((frame) => frame.type === 'marker', 'the marker');

    expect(client.received.filter((frame) => typeof frame === 'object' && isGatewayFrame(frame)).map((frame) => (frame as Frame).message)).toEqual(['Endpoint request timed out']);
  });
});
