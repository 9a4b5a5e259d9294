import { environmentReplies, framePolicies, frameRouteAdapters } from '../runtime/environment.ts';
import { buildCancel } from '../runtime/route-builders.ts';

export const handler = buildCancel({ ...frameRouteAdapters(), replies: environmentReplies() }, framePolicies());
