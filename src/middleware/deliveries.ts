import type { SenderPool } from '../delivery/management-api-sender.ts';
import { Delivery } from '../domain/delivery.ts';
import { extendContext } from './extend-context.ts';
import type { Delivering, NoContext, RouteMiddleware } from './route-types.ts';

/**
 * Gives each request its own Delivery: the posts and closes of this request, which remember the
 * connections that answered 410 (read by `staleConnections` when the request ends).
 */
const deliveries = (senders: SenderPool): RouteMiddleware<NoContext, Delivering> => ({
  adds: ['delivery'],
  before: (request) => {
    extendContext(request, { delivery: new Delivery(senders.forRequest(request.event.requestContext)) });
  },
});

export { deliveries };
