import { loadChunkBatching } from '../config/streaming-config.ts';
import { createResponder } from '../domain/responder.ts';
import { composeMessageRoute } from '../middleware/compose.ts';
import { buildConnectionStore, buildMessageStore, buildSenderPool, clock, loadRateLimitPolicy, loadRefusalPolicy, tools } from '../runtime/route-dependencies.ts';
import { createMessageRoute } from '../routes/message-route.ts';
import validateChatMessage from '../schemas/compiled/chat-message.js';

const connections = buildConnectionStore();
const message = createMessageRoute({
  connections,
  messages: buildMessageStore(),
  responder: createResponder(process.env.RESPONDER),
  chunkBatching: loadChunkBatching(),
  clock,
  metrics: tools.metrics,
});

export const handler = composeMessageRoute(message, {
  tools,
  clock,
  connections,
  senders: buildSenderPool(),
  frameValidator: validateChatMessage,
  rateLimitPolicy: loadRateLimitPolicy(),
  refusalPolicy: loadRefusalPolicy(),
});
