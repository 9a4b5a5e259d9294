/**
 * Warm overhead, in its own process with stdout going to /dev/null (Powertools writes logs and EMF
 * there, as on Lambda). Each route runs as the bare route function and as the full composed chain,
 * with in-memory adapters, interleaved; results are written to stderr as one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import { inMemoryAdapters } from '#testkit/in-process-invoker.ts';
import { createKeySource } from '../../src/auth/key-source.ts';
import { SenderPool } from '../../src/delivery/management-api-sender.ts';
import { Delivery } from '../../src/domain/delivery.ts';
import type { Sender } from '../../src/domain/sender.ts';
import { observability } from '../../src/middleware/observability.ts';
import { RouteChain } from '../../src/middleware/route-chain.ts';
import type { WebSocketEvent } from '../../src/middleware/route-types.ts';
import { logger, metrics, tracer } from '../../src/observability/powertools.ts';
import { createAuthorizerRoute } from '../../src/routes/authorizer-route.ts';
import { createConnectRoute } from '../../src/routes/connect-route.ts';
import { createDefaultRoute } from '../../src/routes/default-route.ts';
import { createDisconnectRoute } from '../../src/routes/disconnect-route.ts';
import { createHistoryRoute } from '../../src/routes/history-route.ts';
import { createMessageRoute } from '../../src/routes/message-route.ts';
import { createPingRoute } from '../../src/routes/ping-route.ts';
import { buildAuthorizer } from '../../src/runtime/authorizer.ts';
import { buildConnect, buildDefault, buildDisconnect, buildHistory, buildMessage, buildPing } from '../../src/runtime/route-builders.ts';
import { benchLambdaContext as context } from './lambda-context.ts';

const ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 5);
const ITERATIONS = Number(process.env.BENCH_WARM_ITERATIONS ?? 2000);
const WARMUP = 500;

const tools = { logger, metrics, tracer };
const clock = { nowMs: () => Date.now() };
const noopSender: Sender = { post: async () => 'delivered', close: async () => 'delivered' };
const senders = new SenderPool('http://in-memory', () => noopSender);
// Separate stores per route, so no route's data grows under another's measurement.
const connections = new InMemoryConnectionStore();
const connectConnections = new InMemoryConnectionStore();
const messages = new InMemoryMessageStore();
const historyMessages = new InMemoryMessageStore();
const policy = { burst: 1e9, perSecond: 1e9 };
const SECRET = 'bench-secret-that-is-at-least-32-characters';

await connections.register({ connectionId: 'bench-conn', userId: 'bench-user', connectedAt: 0, lastSeenAt: 0, expiresAt: 4e9 });
for (let i = 0; i < 10; i += 1) {
  await historyMessages.saveUserMessage({
    messageId: `01J${String(i).padStart(23, '0')}`,
    sessionId: 'bench',
    userId: 'bench-user',
    role: 'user',
    message: `m${i}`,
    createdAt: new Date().toISOString(),
  });
}

const rawEvent = (routeKey: string, body?: unknown): WebSocketEvent => ({
  requestContext: {
    routeKey,
    eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
    // $connect re-registers one id, so the in-memory table does not grow with the iterations.
    connectionId: routeKey === '$connect' ? 'bench-new-conn' : 'bench-conn',
    requestId: 'req',
    extendedRequestId: 'req',
    requestTime: 'now',
    messageDirection: 'IN',
    connectedAt: 0,
    apiId: 'bench',
    requestTimeEpoch: Date.now(),
    domainName: 'bench',
    stage: 'dev',
    authorizer: { userId: 'bench-user', tokenExpiresAt: 4e9 },
  },
  isBase64Encoded: false,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

// What the middleware would have added: the user, a Delivery, the parsed frame, the limiter's admission, the cap's slot.
// Inherits from the Lambda context as the middleware's contexts do (src/middleware/extend-context.ts).
const bareContext = <Frame>(frame: Frame) =>
  Object.assign(Object.create(context), {
    auth: { userId: 'bench-user', tokenExpiresAt: 4e9 },
    delivery: new Delivery(noopSender),
    frame,
    admission: { closed: false },
    connectionSlot: 'slot#bench-user#0',
  });

const chatFrame = { action: 'chat_message' as const, data: { message: 'Hello', sessionId: 'bench' } };
const historyFrame = { action: 'history' as const, data: { sessionId: 'bench', limit: 5 } };
const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('bench-user').setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
const authorizerConfig = { key: { kind: 'secret' as const, secret: SECRET }, allowedOrigins: [] };
const authorize = createAuthorizerRoute({ config: authorizerConfig, keySource: createKeySource(authorizerConfig.key), logger, metrics });
const authorizerEvent = { type: 'REQUEST' as const, methodArn: 'arn:aws:execute-api:us-east-1:1:a/dev/$connect', headers: {}, queryStringParameters: { token } };

type Invoke = () => Promise<unknown>;
const swallow = (promise: Promise<unknown>) => promise.catch(() => undefined);

const cases: Record<string, { bare: Invoke; chain: Invoke }> = (() => {
  const inMemory = inMemoryAdapters({ tools, clock, senders, connections, messages });
  const message = createMessageRoute({ connections, messages, replies: inMemory.replies, invoker: inMemory.invoker, turnHoldMs: 360_000, clock, metrics, logger });
  const ping = createPingRoute({ clock });
  const history = createHistoryRoute({ messages: historyMessages, clock });
  const connect = createConnectRoute({ connections: connectConnections, clock, idleTimeoutSeconds: 600 });
  const disconnect = createDisconnectRoute({ connections: connectConnections, clock, logger, metrics });
  const unknown = createDefaultRoute();
  const frameAdapters = { tools, clock, senders, connections };
  const policies = { rateLimit: policy, refusal: { maxRefusals: 100_000, windowSeconds: 60 }, turnHoldMs: 360_000 };
  const chains = {
    message: buildMessage({ ...frameAdapters, messages, replies: inMemory.replies, invoker: inMemory.invoker }, policies),
    ping: buildPing(frameAdapters, policies),
    history: buildHistory({ ...frameAdapters, messages: historyMessages }, policies),
    default: buildDefault(frameAdapters, policies),
    connect: buildConnect({ tools, clock, connections: connectConnections }, { connection: { idleTimeoutSeconds: 600, maxConnectionsPerUser: 1e9, connectRate: policy } }),
    disconnect: buildDisconnect({ tools, clock, connections: connectConnections }),
    authorizer: buildAuthorizer({ tools, config: authorizerConfig, keySource: createKeySource(authorizerConfig.key) }),
  };
  return {
    authorizer: { bare: () => authorize(authorizerEvent), chain: () => chains.authorizer(authorizerEvent, context) },
    connect: { bare: () => connect(rawEvent('$connect'), bareContext(undefined)), chain: () => chains.connect(rawEvent('$connect'), context) },
    disconnect: { bare: () => disconnect(rawEvent('$disconnect'), context), chain: () => chains.disconnect(rawEvent('$disconnect'), context) },
    message: {
      bare: () => message(rawEvent('chat_message', chatFrame), bareContext(structuredClone(chatFrame))),
      chain: () => chains.message(rawEvent('chat_message', chatFrame), context),
    },
    ping: {
      bare: () => ping(rawEvent('ping', { action: 'ping' }), bareContext({ action: 'ping' as const })),
      chain: () => chains.ping(rawEvent('ping', { action: 'ping' }), context),
    },
    history: {
      bare: () => history(rawEvent('history', historyFrame), bareContext(structuredClone(historyFrame))),
      chain: () => chains.history(rawEvent('history', historyFrame), context),
    },
    default: {
      bare: () => swallow(unknown(rawEvent('$default', { action: 'dance' }), bareContext({ action: 'dance' }))),
      chain: () => chains.default(rawEvent('$default', { action: 'dance' }), context),
    },
  };
})();

const perInvocationMicros = async (invoke: Invoke, iterations: number): Promise<number> => {
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) await invoke();
  return ((performance.now() - start) * 1000) / iterations;
};

const results: Record<string, { bareMicros: number[]; chainMicros: number[]; observabilityOnlyMicros: number[] }> = {};
for (const [name, pair] of Object.entries(cases)) {
  // The floor of any Powertools-instrumented handler: Middy plus tracer, logger and metrics around
  // the bare route, without the project's own middleware.
  const instrumented = RouteChain.start()
    .useAll(observability(tools))
    .handle(async () => {
      await pair.bare();
      return { statusCode: 200 };
    });
  const observabilityOnly = () => instrumented(rawEvent('$default'), context);
  await perInvocationMicros(pair.bare, WARMUP);
  await perInvocationMicros(pair.chain, WARMUP);
  await perInvocationMicros(observabilityOnly, WARMUP);
  const entry = { bareMicros: [] as number[], chainMicros: [] as number[], observabilityOnlyMicros: [] as number[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    entry.bareMicros.push(await perInvocationMicros(pair.bare, ITERATIONS));
    entry.chainMicros.push(await perInvocationMicros(pair.chain, ITERATIONS));
    entry.observabilityOnlyMicros.push(await perInvocationMicros(observabilityOnly, ITERATIONS));
  }
  results[name] = entry;
}
process.stderr.write(`${JSON.stringify(results)}\n`);
