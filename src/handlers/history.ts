import { composeMessageRoute } from '../middleware/compose.ts';
import { buildConnectionStore, buildMessageStore, buildSenderPool, clock, loadRateLimitPolicy, loadRefusalPolicy, tools } from '../runtime/route-dependencies.ts';
import { createHistoryRoute } from '../routes/history-route.ts';
import validateHistory from '../schemas/compiled/history.js';

const history = createHistoryRoute({ messages: buildMessageStore(), clock });

export const handler = composeMessageRoute(history, {
  tools,
  clock,
  connections: buildConnectionStore(),
  senders: buildSenderPool(),
  frameValidator: validateHistory,
  rateLimitPolicy: loadRateLimitPolicy(),
  refusalPolicy: loadRefusalPolicy(),
});
