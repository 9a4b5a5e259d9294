import { BedrockRuntimeServiceException } from '@aws-sdk/client-bedrock-runtime';
import { ModelStreamInterruptedError, ModelThrottledError, ModelUnavailableError } from '../../domain/model-errors.ts';

/**
 * Refusals that mean "not now" rather than "not this": the user is told to retry later. The SDK has
 * already retried them (throttling with its throttling backoff) before they get here.
 */
const BUSY_ERRORS: ReadonlySet<string> = new Set(['ThrottlingException', 'ServiceUnavailableException', 'ModelNotReadyException', 'ServiceQuotaExceededException']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

const shapeOf = (error: unknown): SdkErrorShape => (typeof error === 'object' && error !== null ? error : {});

/**
 * The AWS error name, or a network error's code (`ECONNREFUSED`), or the error's name. The SDK's retry
 * wraps an error that is not an `Error` of its own realm (a vm context, as under Jest) into a plain
 * one whose message alone keeps the code: read it there too.
 */
const reasonOf = (error: unknown): string => {
  const { name, code, message } = shapeOf(error);
  if (name !== 'Error' && typeof name === 'string') return name;
  if (typeof code === 'string') return code;
  const wrapped = typeof message === 'string' ? /\b(E[A-Z]{3,})\b/.exec(message)?.[1] : undefined;
  return wrapped ?? (typeof name === 'string' ? name : 'UnknownError');
};

/**
 * Whether the answer had begun when the call failed: a 2xx response whose body then broke, or an
 * exception event arriving first (a modelled Bedrock error that came with no HTTP status).
 */
const answerBegan = (error: unknown): boolean => {
  const status = shapeOf(error).$metadata?.httpStatusCode;
  if (typeof status === 'number') return status < 400;
  return error instanceof BedrockRuntimeServiceException;
};

/** The service's hint, when it gives one (`x-amz-retry-after` in ms, or `retry-after` in seconds). */
const retryHintMs = (error: unknown): number | undefined => {
  const headers = shapeOf(error).$response?.headers ?? {};
  const milliseconds = Number(headers['x-amz-retry-after']);
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const seconds = Number(headers['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
};

/**
 * Names a failed model call. `streamStarted` is true once the response (HTTP 200) has come: from
 * then on any failure, an exception event or a reset connection, is an interruption that keeps
 * `partialText`. An exception event can also come first, before the SDK hands over the stream: it
 * has no HTTP error status, so it is an interruption with no text.
 */
const toModelError = (
  error: unknown,
  { streamStarted, partialText, defaultRetryAfterMs }: { streamStarted: boolean; partialText: string; defaultRetryAfterMs: number },
): ModelThrottledError | ModelUnavailableError | ModelStreamInterruptedError => {
  const reason = reasonOf(error);
  if (streamStarted || answerBegan(error)) return new ModelStreamInterruptedError(reason, partialText, { cause: error });
  if (BUSY_ERRORS.has(reason)) return new ModelThrottledError(reason, retryHintMs(error) ?? defaultRetryAfterMs, { cause: error });
  return new ModelUnavailableError(reason, { cause: error });
};

export { BUSY_ERRORS, toModelError };
