import { createResponder } from '../domain/responder.ts';
import { handleChatMessage } from '../domain/chat-service.ts';
import { composeMessageRoute } from '../middleware/compose.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import { MetricName } from '../observability/metric-names.ts';
import { buildConnectionStore, buildMessageStore, buildSenderPool, clock, loadRateLimitPolicy, tools } from '../runtime/route-dependencies.ts';
import validateChatMessage from '../schemas/compiled/chat-message.js';
import type { ChatMessageFrameInput } from '../schemas/index.ts';

const connections = buildConnectionStore();
const messages = buildMessageStore();
const responder = createResponder(process.env.RESPONDER);

/** chat_message: store once, send to all of the user's connections, then the assistant's reply. */
const message = async (event: WebSocketEvent<ChatMessageFrameInput>, context: RouteContext): Promise<RouteResponse> => {
  const { data } = event.body;
  tools.metrics.addMetric(MetricName.MessageReceived, 'Count', 1);
  const outcome = await handleChatMessage({ connections, messages, responder, clock }, context.delivery, {
    userId: context.auth.userId,
    connectionId: event.requestContext.connectionId,
    sessionId: data.sessionId,
    message: data.message,
    ...(data.clientMessageId === undefined ? {} : { clientMessageId: data.clientMessageId }),
  });
  if (outcome.duplicate) tools.metrics.addMetric(MetricName.MessageDuplicate, 'Count', 1);
  const receivedAt = event.requestContext.requestTimeEpoch;
  if (outcome.reply && receivedAt) tools.metrics.addMetric(MetricName.ReplyLatency, 'Milliseconds', clock.nowMs() - receivedAt);
  return { statusCode: 200 };
};

export const handler = composeMessageRoute(message, {
  tools,
  clock,
  connections,
  senders: buildSenderPool(),
  frameValidator: validateChatMessage,
  rateLimitPolicy: loadRateLimitPolicy(),
});
