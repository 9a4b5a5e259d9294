/**
 * How a model call fails, in the domain's words (no SDK types): the handler turns each into its
 * error frame, metric and stored state. `reason` is the AWS error name (`ThrottlingException`,
 * `AccessDeniedException`, `ModelStreamErrorException`...) or the network error code, for logs and
 * the `ModelError` metric's property; it is never shown to the user.
 */

/** The model refused for load after the SDK's own retries: the user may ask again after `retryAfterMs`. */
class ModelThrottledError extends Error {
  public readonly reason: string;
  public readonly retryAfterMs: number;

  public constructor(reason: string, retryAfterMs: number, options: { cause?: unknown } = {}) {
    super(`The model is busy (${reason}); retry after ${retryAfterMs} ms`, { cause: options.cause });
    this.name = 'ModelThrottledError';
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The model cannot answer this request: access denied, an unknown model, a refused request, an unreachable endpoint. */
class ModelUnavailableError extends Error {
  public readonly reason: string;

  public constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`The model is unavailable (${reason})`, { cause: options.cause });
    this.name = 'ModelUnavailableError';
    this.reason = reason;
  }
}

/** The stream broke after it started; `partialText` is everything received before (maybe empty). */
class ModelStreamInterruptedError extends Error {
  public readonly reason: string;
  public readonly partialText: string;

  public constructor(reason: string, partialText: string, options: { cause?: unknown } = {}) {
    super(`The model stream was interrupted (${reason}) after ${partialText.length} characters`, { cause: options.cause });
    this.name = 'ModelStreamInterruptedError';
    this.reason = reason;
    this.partialText = partialText;
  }
}

export { ModelStreamInterruptedError, ModelThrottledError, ModelUnavailableError };
