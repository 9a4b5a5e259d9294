import { describe, expect, it } from '@jest/globals';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { contextSeenBy } from '#testkit/route-probe.ts';
import { BadRequestError } from '../../../src/domain/errors.ts';
import { parseFrame } from '../../../src/middleware/parse-frame.ts';
import { RouteChain } from '../../../src/middleware/route-chain.ts';

const echoBody = () => contextSeenBy(RouteChain.start().use(parseFrame()), (context) => context.frame);

describe('parseFrame', () => {
  it('parses a JSON frame onto context.frame', async () => {
    await expect(echoBody()(wsEvent({ connectionId: 'c', body: { action: 'ping' } }), lambdaContext())).resolves.toEqual({ action: 'ping' });
  });

  it.each([
    ['not JSON', '{"action":'],
    ['plain text', 'hello'],
    ['empty', ''],
  ])('refuses %s as BAD_REQUEST', async (_name, body) => {
    const error = await echoBody()(wsEvent({ connectionId: 'c', body }), lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', statusCode: 400 });
  });

  it('keeps a __proto__ key as data, without polluting prototypes', async () => {
    const body = await echoBody()(wsEvent({ connectionId: 'c', body: '{"__proto__":{"polluted":true}}' }), lambdaContext());
    expect(typeof body === 'object' && body !== null && Object.hasOwn(body, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
