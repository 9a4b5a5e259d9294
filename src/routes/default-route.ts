import { UnknownActionError } from '../domain/errors.ts';
import type { Route } from '../middleware/route-chain.ts';
import type { WithFrame } from '../middleware/route-types.ts';

/**
 * $default: frames no route matched. Non-JSON is refused as BAD_REQUEST by the body parser; JSON with
 * an unknown or missing action gets UNKNOWN_ACTION. Nothing is written for either.
 */
const createDefaultRoute = (): Route<WithFrame<unknown>> =>
  async function unknownAction(_event, { frame }) {
    const action = typeof frame === 'object' && frame !== null && 'action' in frame ? frame.action : undefined;
    throw new UnknownActionError(action);
  };

export { createDefaultRoute };
