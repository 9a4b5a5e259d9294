import { UnknownActionError } from '../domain/errors.ts';
import type { RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';

/**
 * $default: frames no route matched. Non-JSON is refused as BAD_REQUEST by the body parser; JSON with
 * an unknown or missing action gets UNKNOWN_ACTION. Nothing is written for either.
 */
const createDefaultRoute = () =>
  async function unknownAction(event: WebSocketEvent<unknown>): Promise<RouteResponse> {
    const action = (event.body as { action?: unknown } | null)?.action;
    throw new UnknownActionError(action);
  };

export { createDefaultRoute };
