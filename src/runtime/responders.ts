import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createBedrockClient } from '../adapters/bedrock/bedrock-client.ts';
import { BedrockResponder } from '../adapters/bedrock/bedrock-responder.ts';
import { loadBedrockConnection, loadBedrockSettings, loadDailyOutputTokens } from '../config/assistant-config.ts';
import type { EnvironmentSource } from '../config/env.ts';
import { loadResponderKind } from '../config/responder-config.ts';
import { DynamoTokenBudget } from '../data/dynamo-token-budget.ts';
import type { HistorySource } from '../domain/model-reply.ts';
import { echoResponder, type Responder } from '../domain/responder.ts';
import type { TokenBudget } from '../domain/token-budget.ts';

/** What answers a question, and (for a model) the budget its cost is charged to. */
interface Assistant {
  responder: Responder;
  /** Absent for the echo responders: they cost nothing. */
  budget?: TokenBudget;
}

interface AssistantStores {
  client: DynamoDBDocumentClient;
  /** The connections table holds the budget counters, beside the rate-limit buckets. */
  connectionsTable: string;
  /** The session's stored messages: the model's context. */
  history: HistorySource;
}

/**
 * The assistant `RESPONDER` names, built from the same source: for `bedrock`, the model settings, the
 * Bedrock client (the fake's endpoint when `BEDROCK_ENDPOINT` is set) and the daily budget.
 * @throws ConfigurationError at init for a missing model id or a value out of bounds.
 */
const assistantFor = (stores: AssistantStores, source: EnvironmentSource = process.env): Assistant => {
  const kind = loadResponderKind(source);
  if (kind !== 'bedrock') return { responder: echoResponder(kind) };
  const settings = loadBedrockSettings(source);
  const dailyOutputTokens = loadDailyOutputTokens(settings.maxTokens, source);
  return {
    responder: new BedrockResponder({ client: createBedrockClient(loadBedrockConnection(source)), history: stores.history }, settings),
    budget: new DynamoTokenBudget(stores.client, stores.connectionsTable, { dailyOutputTokens, tokensPerReply: settings.maxTokens }),
  };
};

export type { Assistant, AssistantStores };
export { assistantFor };
