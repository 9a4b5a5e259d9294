import { describe, expect, it } from '@jest/globals';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { jsonLinesSince, outputMark } from '#testkit/output.ts';
import { RecordingSender } from '#testkit/recording-sender.ts';
import { SenderPool } from '../../../src/delivery/management-api-sender.ts';
import { systemClock } from '../../../src/domain/clock.ts';
import { deliveries } from '../../../src/middleware/deliveries.ts';
import { RouteChain } from '../../../src/middleware/route-chain.ts';
import type { RouteMiddleware } from '../../../src/middleware/route-types.ts';
import { staleConnections } from '../../../src/middleware/stale-connections.ts';
import { logger, metrics } from '../../../src/observability/powertools.ts';

const setup = async () => {
  const connections = new InMemoryConnectionStore();
  for (const id of ['sender', 'stale', 'other']) {
    await connections.register({ connectionId: id, userId: 'u', connectedAt: 0, lastSeenAt: 0, expiresAt: 4_000_000_000 });
  }
  const sender = new RecordingSender().answer('stale', 'gone');
  const senders = new SenderPool('http://unused', () => sender);
  return { connections, sender, senders };
};

const frame = { type: 'pong', data: { connectionId: 'x', serverTime: 'now', expiresAt: 1 } } as const;

describe('staleConnections', () => {
  it('removes exactly the connections that answered 410, never the sender', async () => {
    const { connections, sender, senders } = await setup();
    const chain = RouteChain.start()
      .use(logMetricsAfter())
      .use(deliveries(senders))
      .use(staleConnections({ connections, clock: systemClock, logger, metrics }))
      .handle(async (_event, context) => {
        await context.delivery.postToAll(['sender', 'stale', 'other'], frame);
        await context.delivery.postToAll(['sender', 'stale', 'other'], frame);
        return { statusCode: 200 };
      });
    const mark = outputMark();
    await chain(wsEvent({ connectionId: 'sender', userId: 'u' }), lambdaContext());
    expect(connections.removed).toEqual(['stale']);
    expect([...connections.rows.keys()].sort()).toEqual(['other', 'sender']);
    // The gone connection is skipped on the second fan-out of the same request.
    expect(sender.posts.filter((post) => post.connectionId === 'stale')).toHaveLength(1);
    const emf = jsonLinesSince(mark).find((line) => 'StaleConnectionRemoved' in line);
    expect(emf?.StaleConnectionRemoved).toBe(1);
  });

  it('cleans up when the handler fails after a 410 too', async () => {
    const { connections, senders } = await setup();
    const chain = RouteChain.start()
      .use(deliveries(senders))
      .use(staleConnections({ connections, clock: systemClock, logger, metrics }))
      .handle(async (_event, context) => {
        await context.delivery.post('stale', frame);
        throw new Error('later failure');
      });
    await expect(chain(wsEvent({ connectionId: 'sender', userId: 'u' }), lambdaContext())).rejects.toThrow('later failure');
    expect(connections.removed).toEqual(['stale']);
  });
});

describe('staleConnections and connections still inside $connect', () => {
  it('keeps a connection that answered 410 within 30 s of registering, and removes it once older', async () => {
    const connections = new InMemoryConnectionStore();
    const registeredAt = 1_000_000;
    await connections.register({ connectionId: 'opening', userId: 'u', connectedAt: registeredAt, lastSeenAt: registeredAt, expiresAt: 4_000_000_000 });
    const senders = new SenderPool('http://unused', () => new RecordingSender().answer('opening', 'gone'));
    const chainAt = (nowMs: number) =>
      RouteChain.start()
        .use(deliveries(senders))
        .use(staleConnections({ connections, clock: { nowMs: () => nowMs }, logger, metrics }))
        .handle(async (_event, context) => {
          await context.delivery.post('opening', frame);
          return { statusCode: 200 };
        });

    await chainAt(registeredAt + 29_999)(wsEvent({ connectionId: 'sender', userId: 'u' }), lambdaContext());
    const keptWhileYoung = [...connections.rows.keys()];
    await chainAt(registeredAt + 30_001)(wsEvent({ connectionId: 'sender', userId: 'u' }), lambdaContext());

    expect(keptWhileYoung).toEqual(['opening']);
    expect(connections.removed).toEqual(['opening']);
    expect(connections.rows.size).toBe(0);
  });
});

/** Flushes metrics after the chain, as the observability middleware does in a handler. */
function logMetricsAfter(): RouteMiddleware {
  return { after: () => metrics.publishStoredMetrics() };
}
