import { DEFAULT_REPLY_PACING, type ReplyPacing } from '../domain/reply-progress.ts';
import { ConfigurationError, type EnvironmentSource, numberEnv, requiredEnv } from './env.ts';

/** The respond function's timeout as deployed (Terraform's `respond_timeout_seconds`). @default 300 */
const DEFAULT_RESPOND_TIMEOUT_SECONDS = 300;
/** Kept on top of the respond timeout before a session's turn expires: the hand-off and a slow start. */
const TURN_SLACK_MS = 60_000;

/** The function the message function hands replies to (`RESPOND_FUNCTION_NAME`). */
const loadRespondFunctionName = (source: EnvironmentSource = process.env): string => requiredEnv('RESPOND_FUNCTION_NAME', source);

/**
 * How long a session's turn is held for one answer: the respond function's timeout
 * (`RESPOND_TIMEOUT_SECONDS`, at most Lambda's 900) plus a minute. A turn whose answer crashed on
 * every attempt is free again after that.
 */
const loadTurnHoldMs = (source: EnvironmentSource = process.env): number =>
  numberEnv('RESPOND_TIMEOUT_SECONDS', DEFAULT_RESPOND_TIMEOUT_SECONDS, { min: 1, max: 900, integer: true }, source) * 1000 + TURN_SLACK_MS;

/**
 * How a streaming reply is persisted and checked for a cancel. The text is persisted at least every
 * second (`REPLY_PERSIST_INTERVAL_MS` ≤ 1000) or every `REPLY_PERSIST_CHARS`; a cancel is looked for
 * every `CANCEL_POLL_MS`; an attempt silent for `REPLY_STALE_MS` (at least twice the persist interval)
 * is taken as crashed.
 * @throws ConfigurationError naming the variable.
 */
const loadReplyPacing = (source: EnvironmentSource = process.env): ReplyPacing => {
  const pacing = {
    persistIntervalMs: numberEnv('REPLY_PERSIST_INTERVAL_MS', DEFAULT_REPLY_PACING.persistIntervalMs, { min: 50, max: 1_000, integer: true }, source),
    persistChars: numberEnv('REPLY_PERSIST_CHARS', DEFAULT_REPLY_PACING.persistChars, { min: 1, max: 100_000, integer: true }, source),
    cancelPollMs: numberEnv('CANCEL_POLL_MS', DEFAULT_REPLY_PACING.cancelPollMs, { min: 10, max: 1_000, integer: true }, source),
    staleMs: numberEnv('REPLY_STALE_MS', DEFAULT_REPLY_PACING.staleMs, { min: 100, max: 600_000, integer: true }, source),
  };
  if (pacing.staleMs < 2 * pacing.persistIntervalMs) {
    throw new ConfigurationError(`Environment variable REPLY_STALE_MS (${pacing.staleMs}) must be at least twice REPLY_PERSIST_INTERVAL_MS (${pacing.persistIntervalMs})`);
  }
  return pacing;
};

/** The echo-stream responder's pause per piece (`ECHO_STREAM_DELAY_MS`): long answers for tests, cheaply. @default 0 */
const loadEchoStreamDelayMs = (source: EnvironmentSource = process.env): number => numberEnv('ECHO_STREAM_DELAY_MS', 0, { min: 0, max: 60_000, integer: true }, source);

export { loadEchoStreamDelayMs, loadReplyPacing, loadRespondFunctionName, loadTurnHoldMs };
