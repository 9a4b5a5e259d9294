import type { EnvironmentSource } from '../src/config/env.ts';
import { functionForRoute, routeKeyForFrame } from '../src/config/function-manifest.ts';
import { lambdaContext, newConnectionId, wsEvent } from './events.ts';
import { FakeManagementApi } from './fake-management-api.ts';
import { recordedAs } from './sdk-calls/call-recorder.ts';
import { useTestTables } from './tables.ts';

/**
 * Every route's chain from the composition root, on fresh DynamoDB Local tables and a loopback
 * @connections API, configured by `settings` of the names a deployed function reads; `authorizer()`
 * builds the authorizer from the same settings. The respond function runs in process for each hand-off
 * (`invoker`); with `waitForReplies: false` a `send` returns at the hand-off and `invoker.idle()` waits.
 */
const startRouteHarness = async (label: string, settings: EnvironmentSource = {}, options: { waitForReplies?: boolean } = {}) => {
  const management = new FakeManagementApi();
  await management.start();
  const tables = await useTestTables(label);
  // Loaded after the tables set ENVIRONMENT: Powertools reads it once, at import, as a cold start does.
  const { dynamoRoutes } = await import('./routes.ts');
  const { authorizerAdapters, buildAuthorizer } = await import('../src/runtime/authorizer.ts');
  const { routes: handlers, invoker } = dynamoRoutes({ tables, managementEndpoint: management.endpoint, settings, ...options });
  // Built on first use: loadAuthConfig refuses settings that do not configure exactly one key.
  const buildRecordedAuthorizer = () => recordedAs('authorizer', buildAuthorizer(authorizerAdapters(settings)));
  let authorizerEntry: ReturnType<typeof buildRecordedAuthorizer> | undefined;
  const authorizer = () => {
    authorizerEntry ??= buildRecordedAuthorizer();
    return authorizerEntry;
  };

  /** Runs $connect for a user and, when it succeeds, makes the connection live on the fake API. */
  const connect = async (userId: string, connectionId = newConnectionId(), headers?: Record<string, string>) => {
    const response = await handlers.connect(wsEvent({ connectionId, userId, routeKey: '$connect', ...(headers ? { headers } : {}) }), lambdaContext('test-websocket-connect'));
    if (response.statusCode === 200) management.connect(connectionId);
    return { connectionId, response };
  };

  /** Sends a client frame on a connection through the route API Gateway would pick. */
  const send = async (connectionId: string, userId: string, frame: unknown, extra: { tokenExpiresAt?: number } = {}) => {
    const routeKey = routeKeyForFrame(frame);
    const route = functionForRoute(routeKey) ?? 'default';
    return handlers[route](wsEvent({ connectionId, userId, body: frame, routeKey, ...extra }), lambdaContext(`test-websocket-${route}`));
  };

  const stop = async () => {
    await management.stop();
  };

  return { handlers, authorizer, management, tables, invoker, connect, send, stop };
};

export { startRouteHarness };
