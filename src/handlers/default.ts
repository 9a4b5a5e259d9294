import { framePolicies, frameRouteAdapters } from '../runtime/environment.ts';
import { buildDefault } from '../runtime/route-builders.ts';

export const handler = buildDefault(frameRouteAdapters(), framePolicies());
