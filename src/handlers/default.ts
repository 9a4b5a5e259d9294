import { composeMessageRoute } from '../middleware/compose.ts';
import { buildConnectionStore, buildSenderPool, clock, loadRefusalPolicy, tools } from '../runtime/route-dependencies.ts';
import { createDefaultRoute } from '../routes/default-route.ts';

// No validator and no rate limit: a frame the API does not route takes no token; it counts as a refusal.
export const handler = composeMessageRoute(createDefaultRoute(), {
  tools,
  clock,
  connections: buildConnectionStore(),
  senders: buildSenderPool(),
  refusalPolicy: loadRefusalPolicy(),
});
