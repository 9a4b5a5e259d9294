import { describe, expect, it } from '@jest/globals';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { contextSeenBy } from '#testkit/route-probe.ts';
import { ForbiddenError, TokenExpiredError } from '../../../src/domain/errors.ts';
import { authContext } from '../../../src/middleware/auth-context.ts';
import { RouteChain } from '../../../src/middleware/route-chain.ts';
import { metrics } from '../../../src/observability/powertools.ts';

const NOW_MS = Date.UTC(2026, 10, 25, 12, 0, 0);
const clock = { nowMs: () => NOW_MS };

const seeAuth = () => contextSeenBy(RouteChain.start().use(authContext({ clock, metrics })), (context) => context.auth);

describe('authContext', () => {
  it('puts the authorizer user on context.auth without touching the Lambda context', async () => {
    const context = lambdaContext();
    const auth = await seeAuth()(wsEvent({ connectionId: 'c1', userId: 'alice', tokenExpiresAt: NOW_MS / 1000 + 60 }), context);
    expect(auth).toEqual({ userId: 'alice', tokenExpiresAt: NOW_MS / 1000 + 60 });
    expect('auth' in context).toBe(false);
  });

  it('accepts the expiry as a string, as API Gateway may pass context values', async () => {
    const event = wsEvent({ connectionId: 'c1', userId: 'alice' });
    const { authorizer } = event.requestContext;
    if (authorizer) authorizer.tokenExpiresAt = String(NOW_MS / 1000 + 60);
    await expect(seeAuth()(event, lambdaContext())).resolves.toMatchObject({ tokenExpiresAt: NOW_MS / 1000 + 60 });
  });

  it('refuses an event without an authorizer user', async () => {
    await expect(seeAuth()(wsEvent({ connectionId: 'c1' }), lambdaContext())).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses a frame at or after the token expiry, asking to close the connection', async () => {
    const error = await seeAuth()(wsEvent({ connectionId: 'c1', userId: 'alice', tokenExpiresAt: NOW_MS / 1000 }), lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenExpiredError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', statusCode: 403, closeConnection: true });
  });

  it('lets $connect through whatever the expiry (the authorizer has just checked it)', async () => {
    const chain = contextSeenBy(RouteChain.start().use(authContext({ clock, metrics, enforceExpiry: false })), (context) => context.auth);
    await expect(chain(wsEvent({ connectionId: 'c1', userId: 'bo', tokenExpiresAt: 1 }), lambdaContext())).resolves.toMatchObject({ userId: 'bo' });
  });
});
