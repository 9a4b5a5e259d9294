import { composeMessageRoute } from '../middleware/compose.ts';
import { buildConnectionStore, buildSenderPool, clock, loadRateLimitPolicy, loadRefusalPolicy, tools } from '../runtime/route-dependencies.ts';
import { createPingRoute } from '../routes/ping-route.ts';
import validatePing from '../schemas/compiled/ping.js';

const ping = createPingRoute({ clock });

export const handler = composeMessageRoute(ping, {
  tools,
  clock,
  connections: buildConnectionStore(),
  senders: buildSenderPool(),
  frameValidator: validatePing,
  rateLimitPolicy: loadRateLimitPolicy(),
  refusalPolicy: loadRefusalPolicy(),
});
