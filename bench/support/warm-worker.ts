/**
 * Warm overhead, in its own process with stdout going to /dev/null (Powertools writes logs and EMF
 * there, as on Lambda). Each route runs as the bare route function and as the full composed chain,
 * with in-memory adapters, interleaved; results are written to stderr as one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { createKeySource } from '../../src/auth/key-source.ts';
import { Delivery } from '../../src/domain/delivery.ts';
import { SenderPool } from '../../src/delivery/management-api-sender.ts';
import type { Sender } from '../../src/domain/sender.ts';
import { EchoResponder } from '../../src/domain/responder.ts';
import middy from '@middy/core';
import { composeAuthorizer, composeConnectRoute, composeDisconnectRoute, composeMessageRoute } from '../../src/middleware/compose.ts';
import { observability } from '../../src/middleware/observability.ts';
import { logger, metrics, tracer } from '../../src/observability/powertools.ts';
import { createAuthorizerRoute } from '../../src/routes/authorizer-route.ts';
import { createConnectRoute } from '../../src/routes/connect-route.ts';
import { createDefaultRoute } from '../../src/routes/default-route.ts';
import { createDisconnectRoute } from '../../src/routes/disconnect-route.ts';
import { createHistoryRoute } from '../../src/routes/history-route.ts';
import { createMessageRoute } from '../../src/routes/message-route.ts';
import { createPingRoute } from '../../src/routes/ping-route.ts';
import validateChatMessage from '../../src/schemas/compiled/chat-message.js';
import validateHistory from '../../src/schemas/compiled/history.js';
import validatePing from '../../src/schemas/compiled/ping.js';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import { SignJWT } from 'jose';
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
  await historyMessages.saveUserMessage({ messageId: `01J${String(i).padStart(23, '0')}`, sessionId: 'bench', userId: 'bench-user', role: 'user', message: `m${i}`, createdAt: new Date().toISOString() });
}

const rawEvent = (routeKey: string, body?: unknown) => ({
  requestContext: {
    routeKey,
    eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
    // $connect re-registers one id, so the in-memory table does not grow with the iterations.
    connectionId: routeKey === '$connect' ? 'bench-new-conn' : 'bench-conn',
    requestId: 'req',
    requestTimeEpoch: Date.now(),
    domainName: 'bench',
    stage: 'dev',
    authorizer: { userId: 'bench-user', tokenExpiresAt: 4e9 },
  },
  body: body === undefined ? undefined : JSON.stringify(body),
});

// What the middleware would have added: the user and a Delivery.
const bareContext = () =>
  Object.assign(Object.create(context), { auth: { userId: 'bench-user', tokenExpiresAt: 4e9 }, delivery: new Delivery(noopSender) });

const chatFrame = { action: 'chat_message', data: { message: 'Hello', sessionId: 'bench' } };
const historyFrame = { action: 'history', data: { sessionId: 'bench', limit: 5 } };
const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('bench-user').setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
const authorizerConfig = { key: { kind: 'secret' as const, secret: SECRET }, allowedOrigins: [] };
const authorize = createAuthorizerRoute({ config: authorizerConfig, keySource: createKeySource(authorizerConfig.key), logger, metrics });
const authorizerEvent = { type: 'REQUEST' as const, methodArn: 'arn:aws:execute-api:us-east-1:1:a/dev/$connect', queryStringParameters: { token } };

type Invoke = () => Promise<unknown>;
const swallow = (promise: Promise<unknown>) => promise.catch(() => undefined);

const cases: Record<string, { bare: Invoke; chain: Invoke }> = (() => {
  const message = createMessageRoute({ connections, messages, responder: new EchoResponder(), clock, metrics });
  const ping = createPingRoute({ clock });
  const history = createHistoryRoute({ messages: historyMessages, clock });
  const connect = createConnectRoute({ connections: connectConnections, clock, idleTimeoutSeconds: 600 });
  const disconnect = createDisconnectRoute({ connections: connectConnections, clock, logger, metrics });
  const unknown = createDefaultRoute();
  const messageOptions = { tools, clock, senders, connections, rateLimitPolicy: policy };
  const chains = {
    message: composeMessageRoute(message, { ...messageOptions, frameValidator: validateChatMessage }),
    ping: composeMessageRoute(ping, { ...messageOptions, frameValidator: validatePing }),
    history: composeMessageRoute(history, { ...messageOptions, frameValidator: validateHistory }),
    default: composeMessageRoute(unknown, { tools, clock, senders, connections }),
    connect: composeConnectRoute(connect, { tools, clock, connections: connectConnections, policy: { idleTimeoutSeconds: 600, maxConnectionsPerUser: 1e9, connectRate: policy } }),
    disconnect: composeDisconnectRoute(disconnect, { tools }),
    authorizer: composeAuthorizer(authorize, { tools }),
  };
  const parsed = (routeKey: string, body: unknown) => ({ ...rawEvent(routeKey), body: structuredClone(body) });
  return {
    authorizer: { bare: () => authorize(authorizerEvent), chain: () => chains.authorizer(authorizerEvent, context) },
    connect: { bare: () => connect(rawEvent('$connect') as never, bareContext()), chain: () => chains.connect(rawEvent('$connect') as never, context) },
    disconnect: { bare: () => disconnect(rawEvent('$disconnect') as never), chain: () => chains.disconnect(rawEvent('$disconnect') as never, context) },
    message: { bare: () => message(parsed('chat_message', chatFrame) as never, bareContext()), chain: () => chains.message(rawEvent('chat_message', chatFrame) as never, context) },
    ping: { bare: () => ping(parsed('ping', { action: 'ping' }) as never, bareContext()), chain: () => chains.ping(rawEvent('ping', { action: 'ping' }) as never, context) },
    history: { bare: () => history(parsed('history', { ...historyFrame, data: { ...historyFrame.data } }) as never, bareContext()), chain: () => chains.history(rawEvent('history', historyFrame) as never, context) },
    default: {
      bare: () => swallow(unknown(parsed('$default', { action: 'dance' }) as never)),
      chain: () => chains.default(rawEvent('$default', { action: 'dance' }) as never, context),
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
  const instrumented = middy(async () => pair.bare()).use(observability(tools));
  const observabilityOnly = () => instrumented(rawEvent('$default') as never, context);
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
