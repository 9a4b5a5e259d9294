import { UnknownActionError } from '../domain/errors.ts';
import { composeMessageRoute } from '../middleware/compose.ts';
import type { RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import { buildConnectionStore, buildSenderPool, clock, tools } from '../runtime/route-dependencies.ts';

/**
 * $default: frames no route matched. Non-JSON is refused as BAD_REQUEST by the body parser; JSON with
 * an unknown or missing action gets UNKNOWN_ACTION. Nothing is written for either.
 */
const unknownAction = async (event: WebSocketEvent<unknown>): Promise<RouteResponse> => {
  const action = (event.body as { action?: unknown } | null)?.action;
  throw new UnknownActionError(action);
};

export const handler = composeMessageRoute(unknownAction, {
  tools,
  clock,
  connections: buildConnectionStore(),
  senders: buildSenderPool(),
});
