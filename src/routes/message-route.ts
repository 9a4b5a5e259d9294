import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type ChatDependencies, handleChatMessage } from '../domain/chat-service.ts';
import type { Route } from '../middleware/route-chain.ts';
import type { Authenticated, Delivering, WithFrame } from '../middleware/route-types.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { ChatMessageFrameInput } from '../schemas/index.ts';
import { assistantTelemetry } from './assistant-telemetry.ts';

/**
 * chat_message: store once, send to all of the user's connections, and hand the reply to the respond
 * function. Returns within a few DynamoDB round trips, however long the answer takes.
 */
const createMessageRoute = (
  deps: Omit<ChatDependencies, 'observer'> & { metrics: Metrics; logger: Logger },
): Route<Authenticated & Delivering & WithFrame<ChatMessageFrameInput>> => {
  const chat: ChatDependencies = { ...deps, observer: assistantTelemetry(deps) };
  return async function message(event, context) {
    const { data } = context.frame;
    deps.metrics.addMetric(MetricName.MessageReceived, 'Count', 1);
    const { domainName, stage } = event.requestContext;
    const outcome = await handleChatMessage(chat, context.delivery, {
      userId: context.auth.userId,
      connectionId: event.requestContext.connectionId,
      sessionId: data.sessionId,
      message: data.message,
      ...(data.clientMessageId === undefined ? {} : { clientMessageId: data.clientMessageId }),
      ...(domainName && stage ? { endpoint: { domainName, stage } } : {}),
    });
    if (outcome.duplicate) deps.metrics.addMetric(MetricName.MessageDuplicate, 'Count', 1);
    if (outcome.endedClosed > 0) deps.metrics.addMetric(MetricName.EndedConnectionClosed, 'Count', outcome.endedClosed);
    return { statusCode: 200 };
  };
};

export { createMessageRoute };
