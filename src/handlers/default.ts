import { composeMessageRoute } from '../middleware/compose.ts';
import { buildConnectionStore, buildSenderPool, clock, tools } from '../runtime/route-dependencies.ts';
import { createDefaultRoute } from '../routes/default-route.ts';

// No validator and no rate limit: nothing is written for a frame the API does not route.
export const handler = composeMessageRoute(createDefaultRoute(), {
  tools,
  clock,
  connections: buildConnectionStore(),
  senders: buildSenderPool(),
});
