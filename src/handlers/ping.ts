import { framePolicies, frameRouteAdapters } from '../runtime/environment.ts';
import { buildPing } from '../runtime/route-builders.ts';

export const handler = buildPing(frameRouteAdapters(), framePolicies());
