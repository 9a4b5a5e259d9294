import { recordedAs } from './sdk-calls/call-recorder.ts';
import { FakeManagementApi } from './fake-management-api.ts';
import { lambdaContext, newConnectionId, wsEvent } from './events.ts';
import { useTestTables } from './tables.ts';

type AnyHandler = (event: any, context: any) => Promise<any>;

interface RouteHandlers {
  connect: AnyHandler;
  disconnect: AnyHandler;
  message: AnyHandler;
  ping: AnyHandler;
  history: AnyHandler;
  default: AnyHandler;
}

/**
 * The route handlers, loaded the way Lambda loads them (module scope runs once, with the environment
 * set first), on fresh DynamoDB Local tables and a loopback @connections API.
 */
const startRouteHarness = async (label: string, env: Record<string, string> = {}) => {
  const management = new FakeManagementApi();
  await management.start();
  const tables = await useTestTables(label);
  process.env.WS_MANAGEMENT_ENDPOINT = management.endpoint;
  Object.assign(process.env, env);
  // Each handler's AWS calls are recorded under its function's name (test/iam-observed).
  const handlers: RouteHandlers = {
    connect: recordedAs('connect', (await import('../src/handlers/connect.ts')).handler),
    disconnect: recordedAs('disconnect', (await import('../src/handlers/disconnect.ts')).handler),
    message: recordedAs('message', (await import('../src/handlers/message.ts')).handler),
    ping: recordedAs('ping', (await import('../src/handlers/ping.ts')).handler),
    history: recordedAs('history', (await import('../src/handlers/history.ts')).handler),
    default: recordedAs('default', (await import('../src/handlers/default.ts')).handler),
  };

  /** Runs $connect for a user and, when it succeeds, makes the connection live on the fake API. */
  const connect = async (userId: string, connectionId = newConnectionId(), headers?: Record<string, string>) => {
    const response = await handlers.connect(
      wsEvent({ connectionId, userId, routeKey: '$connect', ...(headers ? { headers } : {}) }),
      lambdaContext('test-websocket-connect'),
    );
    if (response.statusCode === 200) management.connect(connectionId);
    return { connectionId, response };
  };

  /** Sends a client frame on a connection through the route API Gateway would pick. */
  const send = async (connectionId: string, userId: string, frame: unknown, extra: { tokenExpiresAt?: number } = {}) => {
    const action = typeof frame === 'object' && frame !== null ? (frame as { action?: unknown }).action : undefined;
    const route = action === 'chat_message' ? 'message' : action === 'ping' ? 'ping' : action === 'history' ? 'history' : 'default';
    const routeKey = route === 'message' ? 'chat_message' : route === 'default' ? '$default' : route;
    return handlers[route](
      wsEvent({ connectionId, userId, body: frame, routeKey, ...extra }),
      lambdaContext(`test-websocket-${route}`),
    );
  };

  const stop = async () => {
    await management.stop();
  };

  return { handlers, management, tables, connect, send, stop };
};

export { startRouteHarness };
