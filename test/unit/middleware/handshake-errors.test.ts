import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { jsonLinesSince, outputMark } from '#testkit/output.ts';
import { HandshakeRefusedError } from '../../../src/domain/errors.ts';
import { handshakeErrors } from '../../../src/middleware/handshake-errors.ts';
import { observability } from '../../../src/middleware/observability.ts';
import { logger, metrics, tracer } from '../../../src/observability/powertools.ts';

const chainThatThrows = (error: unknown) =>
  middy(async () => {
    throw error;
  })
    .use(observability({ logger, metrics, tracer }))
    .use(handshakeErrors({ logger, metrics }));

describe('handshakeErrors', () => {
  it('turns a handshake refusal into the handshake status and message', async () => {
    const response = await chainThatThrows(new HandshakeRefusedError(429, 'Too many connections'))(wsEvent({ connectionId: 'c', routeKey: '$connect' }), lambdaContext());
    expect(response).toMatchObject({ statusCode: 429, body: 'Too many connections' });
  });

  it('answers any other error with a bare 500, logs its stack and still flushes metrics', async () => {
    const mark = outputMark();
    const response = await chainThatThrows(new Error('table missing: internal detail'))(wsEvent({ connectionId: 'c', routeKey: '$connect' }), lambdaContext());
    expect(response).toMatchObject({ statusCode: 500, body: 'Internal server error' });
    const lines = jsonLinesSince(mark);
    expect(lines.find((line) => line.message === 'Unhandled error in connection handler')?.error).toMatchObject({ stack: expect.stringContaining('internal detail') });
    expect(lines.find((line) => 'HandlerError' in line)?.HandlerError).toBe(1);
  });
});
