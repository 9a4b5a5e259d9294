import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ChatObserver } from '../domain/chat-observer.ts';
import { ModelThrottledError } from '../domain/model-errors.ts';
import { MetricName } from '../observability/metric-names.ts';

/**
 * The assistant's metrics and logs (README, "Observability"): latency and token counts of every
 * model reply, and a `ModelError` with the AWS error name as its `reason` property for every refused
 * or broken model call. The reason is a property, not a dimension, so an alarm reads one metric.
 */
const assistantTelemetry = ({ metrics, logger }: { metrics: Metrics; logger: Logger }): ChatObserver => ({
  budgetExceeded: () => metrics.addMetric(MetricName.BudgetExceeded, 'Count', 1),
  replyEnded: (outcome, status) => {
    if (outcome.timeToFirstTokenMs !== undefined) metrics.addMetric(MetricName.TimeToFirstToken, 'Milliseconds', outcome.timeToFirstTokenMs);
    if (outcome.modelLatencyMs !== undefined) metrics.addMetric(MetricName.ModelLatency, 'Milliseconds', outcome.modelLatencyMs);
    if (outcome.inputTokens !== undefined) metrics.addMetric(MetricName.InputTokens, 'Count', outcome.inputTokens);
    if (outcome.outputTokens !== undefined) metrics.addMetric(MetricName.OutputTokens, 'Count', outcome.outputTokens);
    if (status === 'failed') {
      const reason = outcome.errorName ?? outcome.endedEarly ?? 'unknown';
      metrics.addMetadata('reason', reason);
      metrics.addMetric(MetricName.ModelError, 'Count', 1);
      logger.warn('Model stream ended early; the text so far is stored as failed', { reason, endedEarly: outcome.endedEarly });
    } else if (status === 'truncated') {
      logger.warn('Reply stopped at the invocation deadline; stored as truncated');
    } else if (status === 'cancelled') {
      metrics.addMetric(MetricName.ReplyCancelled, 'Count', 1);
    }
  },
  modelRefused: (error) => {
    metrics.addMetadata('reason', error.reason);
    metrics.addMetric(MetricName.ModelError, 'Count', 1);
    // Busy is the service's load and passes; anything else needs an operator (model access, model id, IAM).
    if (error instanceof ModelThrottledError) logger.warn('Model busy after the SDK retries', { errorName: error.reason, retryAfterMs: error.retryAfterMs });
    else logger.error('Model refused the request', { errorName: error.reason });
  },
  answerInProgress: () => metrics.addMetric(MetricName.AnswerInProgress, 'Count', 1),
  handOffFailed: (error) => {
    metrics.addMetric(MetricName.HandOffFailed, 'Count', 1);
    logger.error('Handing the reply to the respond function failed; the reply is ended as failed', error instanceof Error ? error : String(error));
  },
  replyRecovered: () => {
    metrics.addMetric(MetricName.ReplyRecovered, 'Count', 1);
    logger.warn('A reply left streaming by a crashed attempt was ended as failed');
  },
  settleFailed: (error) => logger.error('Settling the token budget failed; the whole reservation stays charged', error instanceof Error ? error : String(error)),
});

export { assistantTelemetry };
