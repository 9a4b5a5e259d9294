import type { MessageStore } from '../data/message-store.ts';
import { publicView } from '../domain/chat-service.ts';
import type { Clock } from '../domain/clock.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import type { HistoryFrameInput } from '../schemas/index.ts';

/** history: a page of the user's own session, oldest first, sent to the asking connection only. */
const createHistoryRoute = ({ messages, clock }: { messages: MessageStore; clock: Clock }) =>
  async function history(event: WebSocketEvent<HistoryFrameInput>, context: RouteContext): Promise<RouteResponse> {
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

export { createHistoryRoute };
