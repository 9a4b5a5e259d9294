import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { createManagementApiClient, ManagementApiSender } from '../../src/delivery/management-api-sender.ts';

const management = new FakeManagementApi();
const pong = { type: 'pong', data: { connectionId: 'c', serverTime: 'now', expiresAt: 1 } } as const;

beforeAll(() => management.start());
afterAll(() => management.stop());
beforeEach(() => management.reset());

describe('ManagementApiSender (real SDK client over loopback)', () => {
  it('delivers a frame as the raw JSON body', async () => {
    management.connect('c1');
    const sender = new ManagementApiSender(createManagementApiClient(management.endpoint));
    await expect(sender.post('c1', pong)).resolves.toBe('delivered');
    expect(management.framesTo('c1')).toEqual([pong]);
  });

  it('reports a 410 GoneException as gone, without retrying', async () => {
    const sender = new ManagementApiSender(createManagementApiClient(management.endpoint));
    await expect(sender.post('nobody', pong)).resolves.toBe('gone');
    expect(management.calls).toHaveLength(1);
  });

  it('retries 429 LimitExceededException with the SDK backoff, then delivers', async () => {
    management.connect('busy');
    management.failNext('busy', { status: 429, errorType: 'LimitExceededException', times: 2 });
    const sender = new ManagementApiSender(createManagementApiClient(management.endpoint));
    await expect(sender.post('busy', pong)).resolves.toBe('delivered');
    expect(management.calls.filter((call) => call.connectionId === 'busy')).toHaveLength(3);
  });

  it('reports a post over the 128 KB message limit (413 PayloadTooLargeException) as too-large, without retrying', async () => {
    management.connect('c2');
    const sender = new ManagementApiSender(createManagementApiClient(management.endpoint));
    const oversized = { ...pong, data: { ...pong.data, connectionId: 'x'.repeat(128 * 1024) } };
    await expect(sender.post('c2', oversized)).resolves.toBe('too-large');
    expect(management.calls).toHaveLength(1);
    expect(management.framesTo('c2')).toEqual([]);
  });

  it('counts a failure after retries run out, without throwing', async () => {
    management.connect('broken');
    management.failNext('broken', { status: 500, errorType: 'InternalServerErrorException', times: 10 });
    const sender = new ManagementApiSender(createManagementApiClient(management.endpoint, { maxAttempts: 2 }));
    await expect(sender.post('broken', pong)).resolves.toBe('failed');
    expect(management.calls).toHaveLength(2);
  });

  it('gives up on a hung endpoint when the request timeout fires', async () => {
    management.hang('stuck');
    const sender = new ManagementApiSender(createManagementApiClient(management.endpoint, { requestTimeoutMs: 200, maxAttempts: 1 }));
    await expect(sender.post('stuck', pong)).resolves.toBe('failed');
  });
});
