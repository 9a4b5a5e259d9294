import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockClient } from '../src/adapters/bedrock/bedrock-client.ts';
import type { ConversationTurn } from '../src/domain/conversation.ts';
import type { HistorySource, RecentTurnsQuery } from '../src/domain/model-reply.ts';
import type { FakeBedrock } from '../src/local/fake-bedrock/fake-bedrock.ts';

/** The real SDK client pointed at a fake Bedrock, with credentials the fake never checks. */
const clientFor = (fake: FakeBedrock, maxAttempts = 1): BedrockRuntimeClient =>
  createBedrockClient({ endpoint: fake.endpoint, region: 'us-east-1', maxAttempts, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** A HistorySource over a fixed list of turns, recording the queries it was asked. */
const fixedHistory = (turns: ConversationTurn[]): HistorySource & { queries: RecentTurnsQuery[] } => {
  const queries: RecentTurnsQuery[] = [];
  return {
    queries,
    recentTurns: async (query) => {
      queries.push(query);
      return turns.slice(-query.limit);
    },
  };
};

/** Resolves once `condition` holds (checked on each macrotask); for state another socket end updates. */
const eventually = async (condition: () => boolean, what: string, attempts = 2000): Promise<void> => {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Never happened: ${what}`);
};

export { clientFor, eventually, fixedHistory };
