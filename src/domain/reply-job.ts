import type { ReplyKey } from './reply-store.ts';
import type { BudgetReservation } from './token-budget.ts';

/**
 * What the message function hands to the respond function (Lambda `Invoke`, `InvocationType: Event`):
 * which question to answer, into which reply item, charged to which reservation. Plain JSON, as Lambda
 * carries it; Lambda may deliver it more than once, and the reply item makes that harmless.
 */
interface ReplyJob {
  userId: string;
  sessionId: string;
  questionMessageId: string;
  replyMessageId: string;
  /** The connection the question came from: told of a refused model call. */
  connectionId: string;
  /** The connections the question was sent to: the reply's first audience (read again as it streams). */
  audience: string[];
  /** Connections that answered 410 to the question, or that it closed (ended): never posted to or closed again, though their rows may linger. */
  gone?: string[];
  /** Absent for the echo responders. */
  reservation?: BudgetReservation;
  /** Where the question's API lives (its event's domain and stage): the @connections endpoint, unless configured. */
  endpoint?: { domainName: string; stage: string };
}

/** The reply item a job fills. */
const replyKeyOf = (job: Pick<ReplyJob, 'userId' | 'sessionId' | 'replyMessageId'>): ReplyKey => ({ userId: job.userId, sessionId: job.sessionId, messageId: job.replyMessageId });

/** Starts a reply's generation elsewhere and returns at once (the respond function, or an in-process runner in tests). */
interface ReplyInvoker {
  handOff(job: ReplyJob): Promise<void>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isIdList = (value: unknown): value is string[] => Array.isArray(value) && value.every((id) => typeof id === 'string');

const isEndpoint = (value: unknown): value is { domainName: string; stage: string } => isRecord(value) && typeof value.domainName === 'string' && typeof value.stage === 'string';

const isReservation = (value: unknown): value is BudgetReservation =>
  isRecord(value) && typeof value.userId === 'string' && typeof value.day === 'string' && typeof value.reservedTokens === 'number';

/**
 * A job as the respond function receives it, checked: an event that is not one (a hand-written test
 * invoke, a replayed dead letter of another shape) is refused with a clear error and changes nothing.
 * @throws TypeError naming the first field that is missing or of the wrong type.
 */
const parseReplyJob = (event: unknown): ReplyJob => {
  if (!isRecord(event)) throw new TypeError('A reply job must be an object');
  for (const field of ['userId', 'sessionId', 'questionMessageId', 'replyMessageId', 'connectionId'] as const) {
    if (typeof event[field] !== 'string' || event[field] === '') throw new TypeError(`A reply job needs a non-empty string ${field}`);
  }
  if (!isIdList(event.audience)) throw new TypeError('A reply job needs an audience of connection ids');
  if (event.gone !== undefined && !isIdList(event.gone)) throw new TypeError('A reply job gone list must hold connection ids');
  if (event.reservation !== undefined && !isReservation(event.reservation)) throw new TypeError('A reply job reservation needs userId, day and reservedTokens');
  if (event.endpoint !== undefined && !isEndpoint(event.endpoint)) throw new TypeError('A reply job endpoint needs domainName and stage');
  return {
    userId: String(event.userId),
    sessionId: String(event.sessionId),
    questionMessageId: String(event.questionMessageId),
    replyMessageId: String(event.replyMessageId),
    connectionId: String(event.connectionId),
    audience: [...event.audience],
    ...(isIdList(event.gone) && event.gone.length > 0 ? { gone: [...event.gone] } : {}),
    ...(isReservation(event.reservation) ? { reservation: event.reservation } : {}),
    ...(isEndpoint(event.endpoint) ? { endpoint: { domainName: event.endpoint.domainName, stage: event.endpoint.stage } } : {}),
  };
};

export type { ReplyInvoker, ReplyJob };
export { parseReplyJob, replyKeyOf };
