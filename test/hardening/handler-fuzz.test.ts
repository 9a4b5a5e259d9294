/**
 * Generated client frames through the real handlers (module scope, env and all) on DynamoDB Local with
 * a loopback @connections API: a valid frame is accepted, an invalid one gets exactly one error frame
 * with the right code and writes nothing; no 500, no INTERNAL_ERROR, no internals, no unhandled rejection.
 */

import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { clientFrame, routeOf } from '#testkit/hardening/frames.ts';
import { FrameJudge } from '#testkit/hardening/judge.ts';
import { trackProcessFaults } from '#testkit/hardening/process-faults.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { bucketKey } from '../../src/data/gcra-bucket.ts';

const RUNS = 100;
/** One token per 1000 s: the bucket's timestamp then counts exactly the frames that took a token. */
const INTERVAL_MS = 1_000_000;

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();
const processFaults = trackProcessFaults();

beforeAll(async () => {
  // Refusals never close the fuzzed connection here (refusal-limit.test.ts covers that).
  harness = await startRouteHarness('hfuzz', { RATE_LIMIT_BURST: '10000', RATE_LIMIT_PER_SECOND: String(1000 / INTERVAL_MS), REFUSAL_LIMIT: '100000' });
});
afterAll(async () => {
  processFaults.stop();
  await harness.stop();
  db.destroy();
});

const HANDLER_FOR = { chat_message: 'message', ping: 'ping', history: 'history', $default: 'default' } as const;
const ROUTE_KEY_FOR = { chat_message: 'chat_message', ping: 'ping', history: 'history', $default: '$default' } as const;

const itemOf = async (connectionId: string) => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item;

/** The connection's row and its user's frame bucket, without the refusal count (which refused frames do write). */
const limitState = async (connectionId: string, userId: string) => {
  const { refusals: _refusals, refusalWindowEndsAt: _windowEndsAt, ...row } = (await itemOf(connectionId)) ?? {};
  return { row, bucket: await itemOf(bucketKey('frames', userId)) };
};

describe('generated frames through the real handlers', () => {
  it(`answers ${RUNS} generated frames as the protocol says, and invalid ones take no token and store nothing`, async () => {
    // Prepare
    const user = 'fuzz-handlers';
    const { connectionId } = await harness.connect(user);
    const judge = new FrameJudge(user, connectionId);
    const duplicate = JSON.stringify({ action: 'chat_message', data: { message: 'again', sessionId: 's-1', clientMessageId: 'dup-1' } });

    // Act + Assess, frame by frame
    await fc.assert(
      fc.asyncProperty(clientFrame, async (raw) => {
        const route = routeOf(raw);
        const invalid = judge.expect(raw).kind === 'error';
        const before = invalid ? await limitState(connectionId, user) : undefined;
        const seen = harness.management.framesTo(connectionId).length;
        const result = await harness.handlers[HANDLER_FOR[route]](
          wsEvent({ connectionId, userId: user, body: raw, routeKey: ROUTE_KEY_FOR[route] }),
          lambdaContext(`test-websocket-${HANDLER_FOR[route]}`),
        );
        const frames = harness.management.framesTo(connectionId).slice(seen);
        expect(judge.check(raw, frames, result)).toEqual([]);
        if (invalid) expect(await limitState(connectionId, user)).toEqual(before);
      }),
      { numRuns: RUNS, examples: [[duplicate], [duplicate], ['{"action":"ping","data":{"__proto__":{"admin":true}}}']] },
    );

    // Assess: the table holds exactly what the accepted frames stored, and the bucket counted only them
    const { Items = [] } = await db.send(new ScanCommand({ TableName: harness.tables.messages, ConsistentRead: true }));
    expect(Items).toHaveLength(judge.expectedItems);
    const bucket = await itemOf(bucketKey('frames', user));
    expect(Math.round(((bucket?.rateTat as number) - Date.now()) / INTERVAL_MS)).toBe(judge.admitted);
    expect(judge.counts).toMatchObject({
      duplicate: expect.any(Number),
      VALIDATION_ERROR: expect.any(Number),
      BAD_REQUEST: expect.any(Number),
      UNKNOWN_ACTION: expect.any(Number),
      chat: expect.any(Number),
    });
    expect(processFaults.faults).toEqual([]);
  });
});
