import { describe, expect, it } from '@jest/globals';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { linesSince, outputMark } from '#testkit/output.ts';
import { RecordingSender } from '#testkit/recording-sender.ts';
import { SenderPool } from '../../../src/delivery/management-api-sender.ts';
import { RateLimitedError, TokenExpiredError } from '../../../src/domain/errors.ts';
import { deliveries } from '../../../src/middleware/deliveries.ts';
import { errorFrames } from '../../../src/middleware/error-frames.ts';
import { RouteChain } from '../../../src/middleware/route-chain.ts';
import { logger, metrics } from '../../../src/observability/powertools.ts';

const chainThatThrows = (error: unknown, sender: RecordingSender) =>
  RouteChain.start()
    .use(deliveries(new SenderPool('http://unused', () => sender)))
    .use(errorFrames({ logger, metrics }))
    .handle(async () => {
      throw error;
    });

describe('errorFrames', () => {
  it('posts one error frame with the code, message and retryAfterMs to the sender', async () => {
    const sender = new RecordingSender();
    const event = wsEvent({ connectionId: 'sender-1', userId: 'u' });
    const response = await chainThatThrows(new RateLimitedError(1500), sender)(event, lambdaContext());
    expect(response).toEqual({ statusCode: 200 });
    expect(sender.posts).toEqual([
      {
        connectionId: 'sender-1',
        frame: {
          type: 'error',
          error: { code: 'RATE_LIMITED', message: 'Too many frames; retry after 1500 ms', retryAfterMs: 1500 },
          requestId: event.requestContext.requestId,
        },
      },
    ]);
  });

  it('tells the client INTERNAL_ERROR only, and logs the real error with its stack', async () => {
    const sender = new RecordingSender();
    const mark = outputMark();
    const secret = new Error('connect ECONNREFUSED 10.0.0.12:5432 password=hunter2');
    const response = await chainThatThrows(secret, sender)(wsEvent({ connectionId: 'c', userId: 'u' }), lambdaContext());
    expect(response).toEqual({ statusCode: 500 });
    const frame = sender.posts[0]?.frame;
    expect(frame).toMatchObject({ type: 'error', error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; please retry' } });
    expect(frame?.type === 'error' ? frame.error : undefined).toEqual({ code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; please retry' });
    expect(JSON.stringify(frame)).not.toMatch(/hunter2|ECONNREFUSED|at /);
    const logged = linesSince(mark).find((line) => line.includes('Unhandled error in route handler'));
    expect(logged).toContain('hunter2');
    expect(logged).toContain('"stack"');
  });

  it('closes the connection after the frame when the error ends the connection', async () => {
    const sender = new RecordingSender();
    await chainThatThrows(new TokenExpiredError(), sender)(wsEvent({ connectionId: 'c9', userId: 'u' }), lambdaContext());
    expect(sender.posts.map((post) => (post.frame.type === 'error' ? post.frame.error.code : post.frame.type))).toEqual(['FORBIDDEN']);
    expect(sender.closes).toEqual(['c9']);
  });

  it('survives a sender that has already gone (410) without throwing', async () => {
    const sender = new RecordingSender().answer('gone-1', 'gone');
    await expect(chainThatThrows(new RateLimitedError(10), sender)(wsEvent({ connectionId: 'gone-1', userId: 'u' }), lambdaContext())).resolves.toEqual({ statusCode: 200 });
  });
});
