import { composeMessageRoute } from '../middleware/compose.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import { buildConnectionStore, buildMessageStore, buildSenderPool, clock, loadRateLimitPolicy, tools } from '../runtime/route-dependencies.ts';
import { publicView } from '../domain/chat-service.ts';
import validateHistory from '../schemas/compiled/history.js';
import type { HistoryFrameInput } from '../schemas/index.ts';

const messages = buildMessageStore();

/** history: a page of the user's own session, oldest first, sent to the asking connection only. */
const history = async (event: WebSocketEvent<HistoryFrameInput>, context: RouteContext): Promise<RouteResponse> => {
  const { sessionId, after, limit } = event.body.data;
  const page = await messages.listSession({
    userId: context.auth.userId,
    sessionId,
    limit,
    nowMs: clock.nowMs(),
    ...(after === undefined ? {} : { after }),
  });
  await context.delivery.post(event.requestContext.connectionId, {
    type: 'history',
    data: { sessionId, messages: page.messages.map(publicView), hasMore: page.hasMore },
  });
  return { statusCode: 200 };
};

export const handler = composeMessageRoute(history, {
  tools,
  clock,
  connections: buildConnectionStore(),
  senders: buildSenderPool(),
  frameValidator: validateHistory,
  rateLimitPolicy: loadRateLimitPolicy(),
});
