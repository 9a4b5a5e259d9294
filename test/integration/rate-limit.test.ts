import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;

beforeAll(async () => {
  // A refill slow enough (one token per 1000 s) that no token comes back while the test runs.
  harness = await startRouteHarness('ratelimit', { RATE_LIMIT_BURST: '10', RATE_LIMIT_PER_SECOND: '0.001', REFUSAL_LIMIT: '1000' });
});
afterAll(() => harness.stop());

describe('rate limiting', () => {
  it('admits exactly the burst of 30 concurrent frames on one connection; the rest get RATE_LIMITED', async () => {
    // Prepare
    const { connectionId } = await harness.connect('rita');
    // Act
    await Promise.all(Array.from({ length: 30 }, () => harness.send(connectionId, 'rita', { action: 'ping' })));
    // Assess: one frame per frame sent (a post the SDK retried after a stall of the machine counts once)
    const frames = harness.management.sentFramesTo(connectionId);
    expect(frames).toHaveLength(30);
    expect(frames.filter((frame) => frame.type === 'pong')).toHaveLength(10);
    const limited = frames.filter((frame) => frame.type === 'error');
    expect(limited).toHaveLength(20);
    for (const frame of limited) {
      expect(frame.error.code).toBe('RATE_LIMITED');
      expect(frame.error.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('limits each user on its own: a flood on one of his connections limits his others, and leaves another user untouched', async () => {
    const flooder = await harness.connect('sam');
    const sameUser = await harness.connect('sam');
    const bystander = await harness.connect('tess');
    await Promise.all(Array.from({ length: 15 }, () => harness.send(flooder.connectionId, 'sam', { action: 'ping' })));
    await harness.send(sameUser.connectionId, 'sam', { action: 'ping' });
    await harness.send(bystander.connectionId, 'tess', { action: 'ping' });
    expect(harness.management.framesTo(sameUser.connectionId).map((frame) => frame.error?.code ?? frame.type)).toEqual(['RATE_LIMITED']);
    expect(harness.management.framesTo(bystander.connectionId).map((frame) => frame.type)).toEqual(['pong']);
  });

  it('reconnecting does not refill the bucket: a new connection of the user gets what is left', async () => {
    const first = await harness.connect('ray');
    await Promise.all(Array.from({ length: 8 }, () => harness.send(first.connectionId, 'ray', { action: 'ping' })));
    await harness.handlers.disconnect(wsEvent({ connectionId: first.connectionId, routeKey: '$disconnect' }), lambdaContext('test-websocket-disconnect'));
    const second = await harness.connect('ray');
    await Promise.all(Array.from({ length: 8 }, () => harness.send(second.connectionId, 'ray', { action: 'ping' })));
    expect(harness.management.framesTo(second.connectionId).filter((frame) => frame.type === 'pong')).toHaveLength(2);
  });
});
