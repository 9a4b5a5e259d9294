import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { NoContext, RouteMiddleware, RouteResponse, WebSocketEvent } from './route-types.ts';

/** The extra argument `use` demands when a middleware's needs are not met by those before it. */
type UnmetNeeds = [error: 'this middleware needs a context field that no middleware before it adds'];

/** A route's own code: the event as API Gateway sent it, and the context its middleware built. */
type Route<Ctx extends object> = (event: WebSocketEvent, context: Context & Ctx) => Promise<RouteResponse>;

/** What Lambda invokes: a Middy handler on the plain Lambda context. */
type RouteEntry = MiddyfiedHandler<WebSocketEvent, RouteResponse, Error, Context>;

/**
 * Builds a route's Middy chain in order, tracking the context each middleware adds. A middleware
 * whose `Needs` the context so far does not satisfy is a compile error, and so is a route that
 * reads what no middleware adds: the ordering contracts are in the types.
 *
 * @example RouteChain.start().use(deliveries(senders)).use(authContext(opts)).handle(ping)
 */
class RouteChain<Ctx extends object> {
  /** Each step attaches one middleware, in order, to the Middy chain `handle` builds. */
  private readonly steps: readonly ((chain: RouteEntry) => void)[];
  private readonly added: readonly string[];

  private constructor(steps: readonly ((chain: RouteEntry) => void)[], added: readonly string[]) {
    this.steps = steps;
    this.added = added;
  }

  public static start(): RouteChain<NoContext> {
    return new RouteChain<NoContext>([], []);
  }

  public use<Needs extends object, Adds extends object>(middleware: RouteMiddleware<Needs, Adds>, ..._unmet: [Ctx] extends [Needs] ? [] : UnmetNeeds): RouteChain<Ctx & Adds> {
    return new RouteChain<Ctx & Adds>([...this.steps, (chain) => chain.use(middleware)], [...this.added, ...(middleware.adds ?? [])]);
  }

  /** Several context-neutral middlewares at once (Powertools' observability set). */
  public useAll(middlewares: readonly RouteMiddleware[]): RouteChain<Ctx> {
    return new RouteChain<Ctx>([...this.steps, (chain) => chain.use([...middlewares])], this.added);
  }

  /** The Lambda entry: the middlewares in order around `route`. */
  public handle(route: Route<Ctx>): RouteEntry {
    const added = this.added;
    // The types say the middleware added these fields; this says they really did before the route reads them.
    const isBuilt = (context: Context): context is Context & Ctx => added.every((field) => field in context);
    const chain = middy<WebSocketEvent, RouteResponse, Error, Context>();
    for (const attach of this.steps) attach(chain);
    return chain.handler(async (event, context) => {
      if (!isBuilt(context)) throw new Error(`Route context is missing one of: ${added.join(', ')}`);
      return route(event, context);
    });
  }
}

export type { Route, RouteEntry };
export { RouteChain };
