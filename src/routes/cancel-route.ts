import type { ReplyStore } from '../domain/reply-store.ts';
import type { Route } from '../middleware/route-chain.ts';
import type { Authenticated, Delivering, WithFrame } from '../middleware/route-types.ts';
import type { CancelResultFrame } from '../protocol/frames.ts';
import type { CancelFrameInput } from '../schemas/index.ts';

/**
 * cancel: asks the generator of a streaming reply in the user's own session to stop. The sender gets
 * a `cancel_result`; the reply itself ends (within a second) with a `chat_message` whose status is
 * `cancelled`, sent by the generator to every connection of the user. A finished or unknown reply is
 * a harmless answer, not an error.
 */
const createCancelRoute = ({ replies }: { replies: ReplyStore }): Route<Authenticated & Delivering & WithFrame<CancelFrameInput>> =>
  async function cancel(event, context) {
    const { sessionId, messageId } = context.frame.data;
    const result = await replies.requestCancel({ userId: context.auth.userId, sessionId, messageId });
    const frame: CancelResultFrame = { type: 'cancel_result', data: { sessionId, messageId, ...result } };
    await context.delivery.post(event.requestContext.connectionId, frame);
    return { statusCode: 200 };
  };

export { createCancelRoute };
