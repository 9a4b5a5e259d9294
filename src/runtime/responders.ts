import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createBedrockClient } from '../adapters/bedrock/bedrock-client.ts';
import { BedrockResponder } from '../adapters/bedrock/bedrock-responder.ts';
import { loadBedrockConnection, loadBedrockMaxTokens, loadBedrockSettings, loadDailyOutputTokens } from '../config/assistant-config.ts';
import type { EnvironmentSource } from '../config/env.ts';
import { loadEchoStreamDelayMs } from '../config/respond-config.ts';
import { loadResponderKind } from '../config/responder-config.ts';
import { DynamoTokenBudget } from '../data/dynamo-token-budget.ts';
import type { HistorySource } from '../domain/model-reply.ts';
import { echoResponder, type Responder } from '../domain/responder.ts';
import type { TokenBudget } from '../domain/token-budget.ts';

interface BudgetStores {
  client: DynamoDBDocumentClient;
  /** The connections table holds the budget counters, beside the rate-limit buckets. */
  connectionsTable: string;
}

/**
 * The daily output-token budget of the responder `RESPONDER` names: each question reserves the
 * model's `BEDROCK_MAX_TOKENS`. None for the echo responders: they cost nothing. The message function
 * reserves from it; the respond function settles to what the reply cost.
 */
const budgetFor = (stores: BudgetStores, source: EnvironmentSource = process.env): TokenBudget | undefined => {
  if (loadResponderKind(source) !== 'bedrock') return undefined;
  // The message function reserves with these two alone: it is given no model settings.
  const maxTokens = loadBedrockMaxTokens(source);
  return new DynamoTokenBudget(stores.client, stores.connectionsTable, { dailyOutputTokens: loadDailyOutputTokens(maxTokens, source), tokensPerReply: maxTokens });
};

/**
 * The responder `RESPONDER` names: for `bedrock`, the model settings and the Bedrock client (the
 * fake's endpoint when `BEDROCK_ENDPOINT` is set), reading the session's context from `history`.
 * @throws ConfigurationError at init for a missing model id or a value out of bounds.
 */
const responderFor = (history: HistorySource, source: EnvironmentSource = process.env): Responder => {
  const kind = loadResponderKind(source);
  if (kind !== 'bedrock') return echoResponder(kind, loadEchoStreamDelayMs(source));
  return new BedrockResponder({ client: createBedrockClient(loadBedrockConnection(source)), history }, loadBedrockSettings(source));
};

export type { BudgetStores };
export { budgetFor, responderFor };
