import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { SenderPool } from '../delivery/management-api-sender.ts';
import { Delivery } from '../domain/delivery.ts';
import { type GenerationDependencies, generateReply } from '../domain/reply-generation.ts';
import { parseReplyJob } from '../domain/reply-job.ts';
import { removeStaleConnections } from '../middleware/stale-connections.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { ReplyStatus } from '../protocol/frames.ts';
import { messageIdTime } from '../protocol/message-id-time.ts';
import { assistantTelemetry } from './assistant-telemetry.ts';

/** What an invocation did (logged by Lambda for a RequestResponse test invoke; ignored for Event). */
interface RespondResult {
  outcome: 'busy' | 'finished' | 'ended';
  status?: ReplyStatus;
}

type RespondDependencies = Omit<GenerationDependencies, 'observer'> & { senders: SenderPool; metrics: Metrics; logger: Logger };

/**
 * respond: generates one reply handed off by chat_message (Lambda `Invoke`, `InvocationType: Event`).
 * An event that is not a reply job is refused with a clear error (Lambda retries it, then sends it to
 * the dead-letter queue); any other failure is thrown too, so Lambda's retry ends the reply.
 */
const createRespondHandler = (deps: RespondDependencies) => {
  const generation: GenerationDependencies = { ...deps, observer: assistantTelemetry(deps) };
  return async function respond(event: unknown, context: Context): Promise<RespondResult> {
    const job = parseReplyJob(event);
    deps.logger.appendKeys({ sessionId: job.sessionId, replyMessageId: job.replyMessageId });
    const delivery = new Delivery(deps.senders.forRequest(job.endpoint ?? {}));
    const result = await generateReply(generation, delivery, job, { remainingMs: () => context.getRemainingTimeInMillis(), requestId: context.awsRequestId }).finally(
      // As every route does: the rows of connections that answered 410 while the reply streamed go.
      () => (delivery.gone.size > 0 ? removeStaleConnections(deps, [...delivery.gone]) : undefined),
    );
    if (result.outcome !== 'ended') return { outcome: result.outcome };
    const askedAt = messageIdTime(job.questionMessageId);
    if (Number.isFinite(askedAt)) deps.metrics.addMetric(MetricName.ReplyLatency, 'Milliseconds', deps.clock.nowMs() - askedAt);
    return { outcome: 'ended', ...(result.reply.status ? { status: result.reply.status } : {}) };
  };
};

export type { RespondDependencies, RespondResult };
export { createRespondHandler };
