import type { ReplyStatus } from '../protocol/frames.ts';
import type { StoredChatMessage } from './message-store.ts';
import type { ReplyOutcome } from './model-reply.ts';

/** How a reply that ran ended, in the protocol's words. */
const statusOf = (outcome: ReplyOutcome): Exclude<ReplyStatus, 'streaming'> => {
  switch (outcome.endedEarly) {
    case undefined:
      return 'complete';
    case 'deadline':
      return 'truncated';
    case 'cancelled':
      return 'cancelled';
    default:
      // stalled, interrupted, refused.
      return 'failed';
  }
};

/** The reply's end as stored and sent: status, the model's stop reason, usage when both counts came. */
const replyEnd = (outcome: ReplyOutcome) => {
  const { stopReason, inputTokens, outputTokens } = outcome;
  return {
    status: statusOf(outcome),
    ...(stopReason === undefined ? {} : { stopReason }),
    ...(inputTokens === undefined || outputTokens === undefined ? {} : { usage: { inputTokens, outputTokens } }),
  };
};

/** The protocol's chat_message data: no storage-only fields. */
const publicView = (message: StoredChatMessage) => {
  const { replyTo: _replyTo, ...rest } = message;
  return rest;
};

export { publicView, replyEnd };
