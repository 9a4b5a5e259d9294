/**
 * A sender told INTERNAL_ERROR ("please retry") after its question was stored: the retry (same
 * clientMessageId) completes the exchange: the message delivered to every device and answered once.
 */
import { describe, expect, it } from '@jest/globals';
import { SERVER_ERROR } from '#testkit/hardening/dynamo-faults.ts';
import { useFaultSuite } from '#testkit/hardening/fault-suite.ts';
import { storedMessages } from '#testkit/stored-messages.ts';
import { buildRoutes } from './support/routes.ts';

const suite = useFaultSuite('bugs');
const { management, db } = suite;

const stored = (userId: string) => storedMessages(db, suite.tables.messages, userId, 's');

describe('a retry after INTERNAL_ERROR completes the exchange', () => {
  it.each([
    ['finding the recipients', 'Query'],
    ['storing the reply', 'PutItem'],
  ] as const)('after %s failed', async (_step, operation) => {
    const { faults, client } = suite.faultyClient();
    const routes = buildRoutes({ client, tables: suite.tables, managementEndpoint: management.endpoint });
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
