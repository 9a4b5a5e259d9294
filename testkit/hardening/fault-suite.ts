import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, expect, jest } from '@jest/globals';
import { createDocumentClient } from '../../src/data/dynamo-client.ts';
import { FakeManagementApi } from '../fake-management-api.ts';
import { testDocumentClient, useTestTables } from '../tables.ts';
import { DynamoFaults } from './dynamo-faults.ts';
import { trackProcessFaults } from './process-faults.ts';

type TestTables = Awaited<ReturnType<typeof useTestTables>>;

interface FaultSuite {
  /** The loopback @connections endpoint the routes deliver to (started before the first test). */
  management: FakeManagementApi;
  /** A plain client for the test's own reads, outside any fault. */
  db: DynamoDBDocumentClient;
  /** The suite's own tables (available from the first test on). */
  readonly tables: TestTables;
  /** This test's Math.random, pinned at 0.01: the SDK's full-jitter backoff then waits 1% of its cap. */
  readonly random: ReturnType<typeof jest.spyOn>;
  /** A fresh production client (its own retry quota) with the fault middleware below it. */
  faultyClient(): { faults: DynamoFaults; client: DynamoDBDocumentClient };
}

/**
 * The setup every fault-injection file shares, as jest hooks of the calling file: a fake management
 * API, tables of its own, Math.random pinned low so every retry still runs but waits little, and no
 * unhandled rejection or uncaught exception allowed in any test. Call it at the top of the file.
 */
const useFaultSuite = (label: string): FaultSuite => {
  const management = new FakeManagementApi();
  const db = testDocumentClient();
  const processFaults = trackProcessFaults();
  let tables: TestTables | undefined;
  let random: ReturnType<typeof jest.spyOn> | undefined;

  beforeAll(async () => {
    await management.start();
    tables = await useTestTables(label);
  });
  afterAll(async () => {
    processFaults.stop();
    await management.stop();
    db.destroy();
  });
  beforeEach(() => {
    random = jest.spyOn(Math, 'random').mockReturnValue(0.01);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    expect(processFaults.faults).toEqual([]);
  });

  return {
    management,
    db,
    get tables() {
      if (!tables) throw new Error('the fault suite has no tables before its beforeAll ran');
      return tables;
    },
    get random() {
      if (!random) throw new Error('Math.random is pinned only inside a test');
      return random;
    },
    faultyClient: () => {
      const faults = new DynamoFaults();
      return { faults, client: faults.install(createDocumentClient()) };
    },
  };
};

export type { FaultSuite };
export { useFaultSuite };
