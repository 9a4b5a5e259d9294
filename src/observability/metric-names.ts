/**
 * Every metric the code emits, in one place. Terraform's alarms and dashboard must use exactly these
 * names, in this namespace, with the default dimensions below (a test compares them).
 */
const DEFAULT_METRIC_NAMESPACE = 'ChatbotWebSocket';
const DEFAULT_SERVICE_NAME = 'chatbot-websocket';

/** Dimensions on every project metric: Powertools' `service` plus our `environment`. */
const METRIC_DIMENSIONS = ['service', 'environment'] as const;

const MetricName = {
  AuthorizerAllowed: 'AuthorizerAllowed',
  AuthorizerRefused: 'AuthorizerRefused',
  ConnectionOpened: 'ConnectionOpened',
  ConnectionRefused: 'ConnectionRefused',
  ConnectionClosed: 'ConnectionClosed',
  /** A connection closed by the server for sending too many refused frames (REFUSAL_LIMIT). */
  ConnectionClosedForRefusals: 'ConnectionClosedForRefusals',
  FrameAdmitted: 'FrameAdmitted',
  MessageReceived: 'MessageReceived',
  MessageDuplicate: 'MessageDuplicate',
  MessageDelivered: 'MessageDelivered',
  DeliveryFailed: 'DeliveryFailed',
  StaleConnectionRemoved: 'StaleConnectionRemoved',
  /** A fan-out closed a connection past its end (its token expired) that the gateway still held. */
  EndedConnectionClosed: 'EndedConnectionClosed',
  /** A frame refused because its connection has no row or closed longer ago than the grace: the frame is lost. */
  FrameRefusedUnknownConnection: 'FrameRefusedUnknownConnection',
  RateLimited: 'RateLimited',
  ClientError: 'ClientError',
  TokenExpired: 'TokenExpired',
  HandlerError: 'HandlerError',
  ReplyLatency: 'ReplyLatency',
  /** From the model call to its first text delta (ms). */
  TimeToFirstToken: 'TimeToFirstToken',
  /** The model service's own latency for a reply (ConverseStream's `metrics.latencyMs`). */
  ModelLatency: 'ModelLatency',
  InputTokens: 'InputTokens',
  OutputTokens: 'OutputTokens',
  /** A model call refused or broken; the metadata property `reason` holds the AWS error name (or `stalled`). */
  ModelError: 'ModelError',
  /** A question refused because the user's daily output-token budget is spent. */
  BudgetExceeded: 'BudgetExceeded',
  /** A question refused because the session's previous answer is still streaming. */
  AnswerInProgress: 'AnswerInProgress',
  /** The message function could not hand the reply to the respond function (Lambda Invoke failed). */
  HandOffFailed: 'HandOffFailed',
  /** A reply stopped on the user's request. */
  ReplyCancelled: 'ReplyCancelled',
  /** A reply a crashed respond attempt left streaming, ended as failed by Lambda's retry. */
  ReplyRecovered: 'ReplyRecovered',
} as const;

type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

/** Powertools emits this one itself (with an extra `function_name` dimension) when cold start capture is on. */
const COLD_START_METRIC = 'ColdStart';

export type { MetricNameValue };
export { COLD_START_METRIC, DEFAULT_METRIC_NAMESPACE, DEFAULT_SERVICE_NAME, METRIC_DIMENSIONS, MetricName };
