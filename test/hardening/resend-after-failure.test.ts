/**
 * A sender told INTERNAL_ERROR ("please retry") after its question was stored: the retry (same
 * clientMessageId) completes the exchange: the message delivered to every device and answered once.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createDocumentClient } from '../../src/data/dynamo-client.ts';
import { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { storedMessages } from '#testkit/stored-messages.ts';
import { testDocumentClient, useTestTables } from '#testkit/tables.ts';
import { DynamoFaults, SERVER_ERROR } from './support/dynamo-faults.ts';
import { buildRoutes } from './support/routes.ts';

const management = new FakeManagementApi();
const db = testDocumentClient();
let tables: Awaited<ReturnType<typeof useTestTables>>;
beforeAll(async () => {
  await management.start();
  tables = await useTestTables('bugs');
});
afterAll(async () => {
  await management.stop();
  db.destroy();
});
beforeEach(() => {
  jest.spyOn(Math, 'random').mockReturnValue(0.01);
});
afterEach(() => {
  jest.restoreAllMocks();
});

const stored = (userId: string) => storedMessages(db, tables.messages, userId, 's');

describe('a retry after INTERNAL_ERROR completes the exchange', () => {
  it.each([['finding the recipients', 'Query'], ['storing the reply', 'PutItem']] as const)('after %s failed', async (_step, operation) => {
    const faults = new DynamoFaults();
    const routes = buildRoutes({ client: faults.install(createDocumentClient()), tables, managementEndpoint: management.endpoint });
    const userId = `bug-${operation}`;
    const phone = await routes.connect(userId);
    const laptop = await routes.connect(userId);
    management.connect(phone.connectionId, laptop.connectionId);
    const frame = { action: 'chat_message', data: { message: 'hello?', sessionId: 's', clientMessageId: 'c-1' } };

    faults.fail(operation, SERVER_ERROR);
    await routes.send('message', phone.connectionId, userId, frame);
    expect(management.framesTo(phone.connectionId).at(-1)?.error?.code).toBe('INTERNAL_ERROR');
    faults.heal();
    await routes.send('message', phone.connectionId, userId, frame); // the client does as told: retry

    expect((await stored(userId)).map((item) => item.role)).toEqual(['user', 'assistant']);
    for (const device of [phone, laptop]) {
      const chat = management.framesTo(device.connectionId).filter((f) => f.type === 'chat_message');
      expect(chat.map((f) => f.data.role)).toContain('assistant');
    }
  });
});
