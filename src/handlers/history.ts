import { environmentMessages, framePolicies, frameRouteAdapters } from '../runtime/environment.ts';
import { buildHistory } from '../runtime/route-builders.ts';

export const handler = buildHistory({ ...frameRouteAdapters(), messages: environmentMessages() }, framePolicies());
