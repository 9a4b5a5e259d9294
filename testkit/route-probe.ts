import type { Context } from 'aws-lambda';
import type { RouteChain } from '../src/middleware/route-chain.ts';
import type { WebSocketEvent } from '../src/middleware/route-types.ts';

/**
 * Runs a middleware chain to its route and resolves what `read` took from the context (and event)
 * the route saw: how a test looks at what the middleware built, through the real Middy engine.
 * @example const seeAuth = contextSeenBy(RouteChain.start().use(authContext(opts)), (context) => context.auth);
 */
const contextSeenBy =
  <Ctx extends object, Seen>(chain: RouteChain<Ctx>, read: (context: Context & Ctx, event: WebSocketEvent) => Seen) =>
  async (event: WebSocketEvent, context: Context): Promise<Seen | undefined> => {
    const seen: { value?: Seen } = {};
    await chain.handle(async (routeEvent, routeContext) => {
      seen.value = read(routeContext, routeEvent);
      return { statusCode: 200 };
    })(event, context);
    return seen.value;
  };

export { contextSeenBy };
