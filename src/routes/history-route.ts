import { publicView } from '../domain/assistant-reply.ts';
import type { Clock } from '../domain/clock.ts';
import { MessageTooLargeError } from '../domain/errors.ts';
import { historyFrame } from '../domain/history-page.ts';
import type { MessageStore } from '../domain/message-store.ts';
import type { Route } from '../middleware/route-chain.ts';
import type { Authenticated, Delivering, WithFrame } from '../middleware/route-types.ts';
import type { HistoryFrameInput } from '../schemas/index.ts';

interface HistoryRouteDependencies {
  messages: MessageStore;
  clock: Clock;
  /** @default HISTORY_FRAME_BUDGET_BYTES (the page is cut by size under API Gateway's 128 KB limit) */
  frameBudgetBytes?: number;
}

/**
 * history: a page of the user's own session, oldest first, sent to the asking connection only. The
 * page is cut by size as well as by `limit`; if API Gateway still refuses it for its size, the
 * client gets MESSAGE_TOO_LARGE instead of silence.
 */
const createHistoryRoute = ({ messages, clock, frameBudgetBytes }: HistoryRouteDependencies): Route<Authenticated & Delivering & WithFrame<HistoryFrameInput>> =>
  async function history(event, context) {
    const { sessionId, after, limit } = context.frame.data;
    const page = await messages.listSession({
      userId: context.auth.userId,
      sessionId,
      limit,
      nowMs: clock.nowMs(),
      ...(after === undefined ? {} : { after }),
    });
    const frame = historyFrame(sessionId, page.messages.map(publicView), page.hasMore, frameBudgetBytes);
    const outcome = await context.delivery.post(event.requestContext.connectionId, frame);
    if (outcome === 'too-large') throw new MessageTooLargeError();
    return { statusCode: 200 };
  };

export { createHistoryRoute };
