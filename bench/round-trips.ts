import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { wsEvent } from '#testkit/events.ts';
import type { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { DynamoConnectionStore } from '../src/data/dynamo-connection-store.ts';
import { createManagementApiClient } from '../src/delivery/management-api-sender.ts';
import { EchoResponder } from '../src/domain/responder.ts';
import { createTables } from '../src/local/create-tables.ts';
import { CallRecorder, sequentialDepthBeforeFirstPost } from './support/call-recorder.ts';
import { benchMessageChain } from './support/message-chain.ts';
import { median, round } from './support/stats.ts';

interface RoundTripRow {
  unrelatedConnections: number;
  dynamodbCalls: number;
  posts: number;
  sequentialDynamodbBeforeFirstPost: number;
  firstPostMedianMs: number;
  invocationMedianMs: number;
}

const USER = 'bench-user';
const OWN_CONNECTIONS = 3;

const seedUnrelated = async (client: DynamoDBDocumentClient, table: string, count: number): Promise<void> => {
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  for (let offset = 0; offset < count; offset += 25) {
    const items = Array.from({ length: Math.min(25, count - offset) }, (_, i) => ({
      PutRequest: { Item: { connectionId: `unrelated-${offset + i}`, userId: `other-${(offset + i) % 500}`, connectedAt: 0, lastSeenAt: 0, expiresAt } },
    }));
    await client.send(new BatchWriteCommand({ RequestItems: { [table]: items } }));
  }
};

const context = { awsRequestId: 'bench', functionName: 'bench-message', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** One table setup: N unrelated connections plus the user's own, and an instrumented message chain. */
const prepare = async (unrelated: number, management: FakeManagementApi) => {
  const recorder = new CallRecorder();
  const raw = new DynamoDBClient({ maxAttempts: 4 });
  recorder.attach(raw, 'dynamodb');
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const names = await createTables(raw, `benchrt${unrelated}x${Date.now() % 100000}`);
  await seedUnrelated(client, names.connections, unrelated);
  const managementClient = createManagementApiClient(management.endpoint);
  recorder.attach(managementClient, 'management');
  // The clock moves 5 s a message: chat messages seconds apart, as people type (one bucket write each).
  let offsetMs = 0;
  const clock = { nowMs: () => Date.now() + offsetMs };
  const connections = new DynamoConnectionStore(client, names.connections, 600);
  const ownIds: string[] = [];
  for (let i = 0; i < OWN_CONNECTIONS; i += 1) {
    const connectionId = `own-${unrelated}-${i}`;
    ownIds.push(connectionId);
    management.connect(connectionId);
    await connections.register({ connectionId, userId: USER, connectedAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 36_000 });
  }
  const chain = benchMessageChain({
    client,
    messagesTable: names.messages,
    connections,
    responder: new EchoResponder(),
    clock,
    managementEndpoint: management.endpoint,
    managementClient,
  });
  const send = async (index: number) => {
    offsetMs += 5_000;
    recorder.reset();
    const start = performance.now();
    await chain(
      wsEvent({
        connectionId: ownIds[index % OWN_CONNECTIONS] as string,
        userId: USER,
        body: { action: 'chat_message', data: { message: `message ${index}`, sessionId: 'bench' } },
        routeKey: 'chat_message',
        tokenExpiresAt: 4e9,
      }),
      context,
    );
    const end = performance.now();
    const calls = [...recorder.calls];
    const firstPost = Math.min(...calls.filter((call) => call.service === 'management').map((call) => call.start));
    return {
      dynamodbCalls: calls.filter((call) => call.service === 'dynamodb').length,
      posts: calls.filter((call) => call.service === 'management').length,
      depth: sequentialDepthBeforeFirstPost(calls),
      firstPostMs: firstPost - start,
      invocationMs: end - start,
    };
  };
  return {
    send,
    destroy: () => {
      raw.destroy();
      managementClient.destroy();
    },
  };
};

/**
 * Method: the real message chain (middleware included) on DynamoDB Local and the loopback @connections
 * API, with an SDK middleware recording every call; the same 30 messages run alternately against a
 * table with 10 and with 10,000 unrelated connections.
 */
const benchRoundTrips = async (management: FakeManagementApi, messages = 30): Promise<RoundTripRow[]> => {
  // The chain's EMF and log lines would bury the table; this section counts calls, not output.
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await measureRoundTrips(management, messages);
  } finally {
    process.stdout.write = write;
  }
};

const measureRoundTrips = async (management: FakeManagementApi, messages: number): Promise<RoundTripRow[]> => {
  const setups = await Promise.all([10, 10_000].map(async (unrelated) => ({ unrelated, setup: await prepare(unrelated, management) })));
  const samples = new Map<number, Array<Awaited<ReturnType<(typeof setups)[number]['setup']['send']>>>>();
  for (let index = 0; index < messages; index += 1) {
    for (const { unrelated, setup } of index % 2 === 0 ? setups : [...setups].reverse()) {
      const sample = await setup.send(index);
      if (index > 0) samples.set(unrelated, [...(samples.get(unrelated) ?? []), sample]);
    }
  }
  for (const { setup } of setups) setup.destroy();
  return setups.map(({ unrelated }) => {
    const rows = samples.get(unrelated) ?? [];
    return {
      unrelatedConnections: unrelated,
      dynamodbCalls: median(rows.map((row) => row.dynamodbCalls)),
      posts: median(rows.map((row) => row.posts)),
      sequentialDynamodbBeforeFirstPost: Math.max(...rows.map((row) => row.depth)),
      firstPostMedianMs: round(median(rows.map((row) => row.firstPostMs))),
      invocationMedianMs: round(median(rows.map((row) => row.invocationMs))),
    };
  });
};

export type { RoundTripRow };
export { benchRoundTrips };
