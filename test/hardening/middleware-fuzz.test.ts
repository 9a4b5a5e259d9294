/**
 * fast-check through each middleware and through the composed chains, on the real Middy engine with
 * in-memory adapters (Middy's own practice: every middleware fuzzed with generated events).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { clientFrame, expectedOutcome, routeOf } from '#testkit/hardening/frames.ts';
import { internalsIn } from '#testkit/hardening/internals.ts';
import { FrameJudge } from '#testkit/hardening/judge.ts';
import { trackProcessFaults } from '#testkit/hardening/process-faults.ts';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import { inMemoryAdapters } from '#testkit/in-process-invoker.ts';
import { unthrottledPolicies } from '#testkit/policies.ts';
import { RecordingSender } from '#testkit/recording-sender.ts';
import { contextSeenBy } from '#testkit/route-probe.ts';
import { functionForRoute } from '../../src/config/function-manifest.ts';
import { SenderPool } from '../../src/delivery/management-api-sender.ts';
import { systemClock } from '../../src/domain/clock.ts';
import type { FrameAdmission } from '../../src/domain/connection-store.ts';
import { BadRequestError, ClientFrameError, ForbiddenError, FrameValidationError, RateLimitedError, TokenExpiredError, UnknownActionError } from '../../src/domain/errors.ts';
import type { RateLimitPolicy } from '../../src/domain/policies.ts';
import type { DeliveryOutcome } from '../../src/domain/sender.ts';
import { authContext } from '../../src/middleware/auth-context.ts';
import { deliveries } from '../../src/middleware/deliveries.ts';
import { errorFrames } from '../../src/middleware/error-frames.ts';
import { parseFrame } from '../../src/middleware/parse-frame.ts';
import { RouteChain } from '../../src/middleware/route-chain.ts';
import { staleConnections } from '../../src/middleware/stale-connections.ts';
import { validateFrame } from '../../src/middleware/validate-frame.ts';
import { logger, metrics, tracer } from '../../src/observability/powertools.ts';
import { createRoutes } from '../../src/runtime/create-routes.ts';
import validateChatMessage from '../../src/schemas/compiled/chat-message.js';
import validateHistory from '../../src/schemas/compiled/history.js';
import validatePing from '../../src/schemas/compiled/ping.js';

const tools = { logger, metrics, tracer };
const clock = { nowMs: () => Date.now() };
const FAR_FUTURE_SECONDS = 4_000_000_000;
const processFaults = trackProcessFaults();
afterAll(() => processFaults.stop());

/** A connection store that counts rate-limit writes, so "an invalid frame writes nothing" is checkable. */
class CountingConnectionStore extends InMemoryConnectionStore {
  public admissions = 0;

  public override async admitFrame(connectionId: string, userId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission> {
    this.admissions += 1;
    return super.admitFrame(connectionId, userId, nowMs, policy);
  }
}

/** A message store that counts writes. */
class CountingMessageStore extends InMemoryMessageStore {
  public writes = 0;

  public override async saveUserMessage(...args: Parameters<InMemoryMessageStore['saveUserMessage']>) {
    this.writes += 1;
    return super.saveUserMessage(...args);
  }

  public override async saveAssistantMessage(...args: Parameters<InMemoryMessageStore['saveAssistantMessage']>) {
    this.writes += 1;
    return super.saveAssistantMessage(...args);
  }
}

/** Structural equality of two JSON values, iterative: the generated frames nest deeper than jest's recursive equality goes. */
const sameJson = (left: unknown, right: unknown): boolean => {
  const pending: Array<[unknown, unknown]> = [[left, right]];
  while (pending.length > 0) {
    const [a, b] = pending.pop() as [unknown, unknown];
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
      if (!Object.is(a, b)) return false;
      continue;
    }
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(b, key)) return false;
      pending.push([(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]]);
    }
  }
  return true;
};

const isClientFrameError = (error: unknown, code: string) => error instanceof ClientFrameError && error.code === code;

describe('each middleware on generated input (real Middy engine)', () => {
  it('parseFrame parses any JSON text and refuses everything else with BAD_REQUEST only', async () => {
    const chain = contextSeenBy(RouteChain.start().use(parseFrame()), (context) => context.frame);
    await fc.assert(
      fc.asyncProperty(fc.oneof(clientFrame, fc.string({ unit: 'binary' }), fc.anything()), async (body) => {
        let expected: { ok: true; value: unknown } | { ok: false };
        try {
          expected = typeof body === 'string' && body.length > 0 ? { ok: true, value: JSON.parse(body) } : { ok: false };
        } catch {
          expected = { ok: false };
        }
        // API Gateway always passes a string; anything else must be refused the same way.
        const event = Object.assign(wsEvent({ connectionId: 'c' }), { body });
        const outcome = await chain(event, lambdaContext()).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        if (expected.ok) expect(outcome.ok && sameJson(outcome.value, expected.value)).toBe(true);
        else expect(!outcome.ok && isClientFrameError(outcome.error, 'BAD_REQUEST')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the schema validators accept exactly what the protocol table allows', async () => {
    const validators = { chat_message: validateChatMessage, ping: validatePing, history: validateHistory } as const;
    const chains = Object.fromEntries(
      Object.entries(validators).map(([route, frameValidator]) => [
        route,
        RouteChain.start()
          .use(parseFrame())
          .use(validateFrame<unknown>(frameValidator))
          .handle(async () => ({ statusCode: 200 })),
      ]),
    );
    await fc.assert(
      fc.asyncProperty(clientFrame, async (raw) => {
        const route = routeOf(raw);
        if (route === '$default') return;
        const expected = expectedOutcome(raw);
        const chain = chains[route];
        if (!chain) throw new Error(`no chain for ${route}`);
        const outcome = await chain(wsEvent({ connectionId: 'c', body: raw }), lambdaContext()).then(
          () => 'accepted',
          (error: unknown) => (error instanceof FrameValidationError ? 'VALIDATION_ERROR' : `other: ${String(error)}`),
        );
        expect(outcome).toBe(expected.kind === 'error' ? expected.code : 'accepted');
      }),
      { numRuns: 1000 },
    );
  });

  it('authContext takes the user only from a non-empty authorizer userId, and refuses with FORBIDDEN otherwise', async () => {
    const chain = contextSeenBy(RouteChain.start().use(authContext({ clock, metrics })), (context) => context.auth);
    const contextValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const authorizer = fc.oneof(
      fc.constant(undefined),
      fc.record({ userId: contextValue, tokenExpiresAt: contextValue, principalId: contextValue }, { requiredKeys: [] }),
      fc.record({ userId: fc.string({ minLength: 1 }), tokenExpiresAt: fc.integer({ min: 0, max: FAR_FUTURE_SECONDS }).map(String) }),
      fc.dictionary(fc.string(), fc.jsonValue()),
    );
    await fc.assert(
      fc.asyncProperty(authorizer, async (auth) => {
        const event = wsEvent({ connectionId: 'c', body: '{}' });
        if (auth !== undefined) event.requestContext.authorizer = auth;
        const outcome = await chain(event, lambdaContext()).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        const userId = (auth as { userId?: unknown } | undefined)?.userId;
        const expiry = Number((auth as { tokenExpiresAt?: unknown } | undefined)?.tokenExpiresAt);
        if (typeof userId !== 'string' || userId.length === 0) {
          expect(!outcome.ok && isClientFrameError(outcome.error, 'FORBIDDEN')).toBe(true);
        } else if (Number.isFinite(expiry) && Date.now() >= expiry * 1000) {
          expect(!outcome.ok && outcome.error instanceof TokenExpiredError).toBe(true);
        } else {
          expect(outcome).toEqual({ ok: true, value: expect.objectContaining({ userId }) });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('errorFrames turns any thrown value into exactly one clean error frame to the sender, and never throws', async () => {
    const sdkError = fc
      .tuple(
        fc.constantFrom('ProvisionedThroughputExceededException', 'ThrottlingException', 'InternalServerError', 'TimeoutError', 'ValidationException', 'TypeError'),
        fc.string(),
      )
      .map(([name, message]) => Object.assign(new Error(`${message} at /var/task/index.mjs:1:2`), { name, $metadata: { httpStatusCode: 500, attempts: 4 } }));
    const thrown = fc.oneof(
      fc.string().map((message) => new Error(`${message}\n    at handler (/work/main/src/handlers/message.ts:12:3)`)),
      sdkError,
      fc.string().map((message) => new BadRequestError(message)),
      fc.integer({ min: 0, max: 100_000 }).map((ms) => new RateLimitedError(ms)),
      fc.jsonValue().map((action) => new UnknownActionError(action)),
      fc.string().map((message) => new ForbiddenError(message, { closeConnection: true })),
      fc.constant(new TokenExpiredError()),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.object()),
    );
    const outcomes = fc.constantFrom<DeliveryOutcome>('delivered', 'gone', 'failed');
    await fc.assert(
      fc.asyncProperty(thrown, outcomes, async (error, answer) => {
        const sender = new RecordingSender().answer('sender', answer);
        const chain = RouteChain.start()
          .use(deliveries(new SenderPool('http://unused', () => sender)))
          .use(errorFrames({ logger, metrics }))
          .handle(async () => {
            throw error;
          });
        const response = await chain(wsEvent({ connectionId: 'sender', userId: 'u' }), lambdaContext());
        expect(sender.posts).toHaveLength(1);
        const post = sender.posts[0];
        const frame = post?.frame;
        expect(post?.connectionId).toBe('sender');
        expect(frame?.type).toBe('error');
        const client = error instanceof ClientFrameError;
        expect(frame?.type === 'error' ? frame.error.code : undefined).toBe(client ? error.code : 'INTERNAL_ERROR');
        expect(response).toEqual({ statusCode: client ? 200 : 500 });
        // What a client-facing error echoes is its own text; only the non-client errors' text is internal.
        expect(internalsIn(frame, client ? error.message : '')).toEqual([]);
        expect(sender.closes).toEqual(client && error.closeConnection ? ['sender'] : []);
      }),
      { numRuns: 400 },
    );
  });

  it('staleConnections removes exactly the connections that answered 410, whatever the others answered', async () => {
    const plan = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{4,12}=$/), fc.constantFrom<DeliveryOutcome>('delivered', 'gone', 'failed')), {
      minLength: 1,
      maxLength: 20,
      selector: ([id]) => id,
    });
    await fc.assert(
      fc.asyncProperty(plan, fc.boolean(), async (answers, handlerThrows) => {
        const connections = new InMemoryConnectionStore();
        const sender = new RecordingSender();
        for (const [connectionId, answer] of answers) {
          sender.answer(connectionId, answer);
          await connections.register({ connectionId, userId: 'u', connectedAt: 0, lastSeenAt: 0, expiresAt: FAR_FUTURE_SECONDS });
        }
        const ids = answers.map(([id]) => id);
        const chain = RouteChain.start()
          .use(deliveries(new SenderPool('http://unused', () => sender)))
          .use(staleConnections({ connections, clock: systemClock, logger, metrics }))
          .handle(async (_event, context) => {
            await context.delivery.postToAll(ids, { type: 'pong', data: { connectionId: 'x', serverTime: 'now', expiresAt: 1 } });
            if (handlerThrows) throw new Error('after the fan-out');
            return { statusCode: 200 };
          });
        await chain(wsEvent({ connectionId: ids[0] ?? 'none', userId: 'u' }), lambdaContext()).catch(() => undefined);
        expect([...connections.removed].sort()).toEqual(
          answers
            .filter(([, answer]) => answer === 'gone')
            .map(([id]) => id)
            .sort(),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('the composed message-route chains on generated frames', () => {
  it('accept valid frames, answer invalid ones with exactly one error frame, and never write for them', async () => {
    // Prepare: every route's chain, as the handlers compose them, on in-memory adapters
    const connections = new CountingConnectionStore();
    const messages = new CountingMessageStore();
    const sender = new RecordingSender();
    const senders = new SenderPool('http://unused', () => sender);
    const routes = createRoutes(inMemoryAdapters({ tools, clock, senders, connections, messages }), unthrottledPolicies());
    const user = 'fuzz-chains';
    const connectionId = 'chain-connection=';
    await connections.register({ connectionId, userId: user, connectedAt: 0, lastSeenAt: 0, expiresAt: FAR_FUTURE_SECONDS });
    const judge = new FrameJudge(user, connectionId);

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(clientFrame, async (raw) => {
        const route = routeOf(raw);
        const seen = sender.posts.length;
        const writesBefore = { admissions: connections.admissions, messages: messages.writes };
        const invalid = judge.expect(raw).kind === 'error';
        const result = await routes[functionForRoute(route) ?? 'default'](wsEvent({ connectionId, userId: user, body: raw, routeKey: route }), lambdaContext());
        const frames = sender.posts.slice(seen).map((post) => {
          expect(post.connectionId).toBe(connectionId);
          return post.frame as Record<string, any>;
        });
        expect(judge.check(raw, frames, result)).toEqual([]);
        if (invalid) expect({ admissions: connections.admissions, messages: messages.writes }).toEqual(writesBefore);
      }),
      { numRuns: 600 },
    );
    expect(connections.admissions).toBe(judge.admitted);
    expect(processFaults.faults).toEqual([]);
  });
});
