/**
 * Type tests, checked by `tsc --noEmit` (npm test): the composed handlers' types are pinned, and a
 * middleware placed before the one it needs, or a route reading what no middleware adds, does not
 * compile. Nothing here runs.
 */
import type { Context } from 'aws-lambda';
import type { SenderPool } from '../../src/delivery/management-api-sender.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { ConnectionStore } from '../../src/domain/connection-store.ts';
import type { handler as messageHandler } from '../../src/handlers/message.ts';
import type { handler as pingHandler } from '../../src/handlers/ping.ts';
import { authContext } from '../../src/middleware/auth-context.ts';
import { deliveries } from '../../src/middleware/deliveries.ts';
import type { ObservabilityTools } from '../../src/middleware/observability.ts';
import { parseFrame } from '../../src/middleware/parse-frame.ts';
import { rateLimit } from '../../src/middleware/rate-limit.ts';
import { RouteChain, type RouteEntry } from '../../src/middleware/route-chain.ts';
import type { RouteResponse, WebSocketEvent } from '../../src/middleware/route-types.ts';
import { validateFrame } from '../../src/middleware/validate-frame.ts';
import type { buildPing } from '../../src/runtime/route-builders.ts';
import validatePing from '../../src/schemas/compiled/ping.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_proof: T): void => undefined;

declare const senders: SenderPool;
declare const connections: ConnectionStore;
declare const clock: Clock;
declare const tools: ObservabilityTools;
const limiter = rateLimit({ connections, policy: { burst: 1, perSecond: 1 }, clock, metrics: tools.metrics });

// What Lambda invokes: a Middy handler on API Gateway's event and the plain Lambda context.
expectType<Equals<typeof pingHandler, RouteEntry>>(true);
expectType<Equals<typeof messageHandler, RouteEntry>>(true);
expectType<Equals<ReturnType<typeof buildPing>, RouteEntry>>(true);
expectType<Equals<Parameters<RouteEntry>[0], WebSocketEvent>>(true);
expectType<Equals<Parameters<RouteEntry>[1], Context>>(true);
expectType<Equals<ReturnType<RouteEntry>, Promise<RouteResponse>>>(true);

// In order, the route sees everything the middleware added, with the frame narrowed to its type.
RouteChain.start()
  .use(deliveries(senders))
  .use(authContext({ clock, metrics: tools.metrics }))
  .use(parseFrame())
  .use(validateFrame(validatePing))
  .use(limiter)
  .handle(async (_event, context) => {
    expectType<Equals<typeof context.frame, { action: 'ping' }>>(true);
    expectType<Equals<typeof context.admission, { closed: boolean }>>(true);
    return { statusCode: context.auth.userId.length > 0 ? 200 : 500 };
  });

// The rate limiter reads the user and the Delivery: before authContext it does not compile.
// @ts-expect-error the limiter needs `auth`, which no middleware before it adds
RouteChain.start().use(deliveries(senders)).use(limiter);

// Validation narrows a parsed frame: before parseFrame it does not compile.
// @ts-expect-error validateFrame needs `frame`, which parseFrame adds
RouteChain.start().use(validateFrame(validatePing));

// A route that reads what no middleware adds does not compile.
RouteChain.start()
  .use(authContext({ clock, metrics: tools.metrics }))
  // @ts-expect-error no middleware adds `delivery`
  .handle(async (_event, context: Context & { delivery: unknown }) => ({ statusCode: context.delivery ? 200 : 500 }));
