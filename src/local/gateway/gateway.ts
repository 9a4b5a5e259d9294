import type { LocalTableNames } from '../create-tables.ts';
import { LOCAL_DEFAULTS } from '../dev-config.ts';
import type { FakeBedrock, FakeBedrockOptions } from '../fake-bedrock/fake-bedrock.ts';
import { type LocalAssistant, startLocalAssistant } from '../local-assistant.ts';
import { type AsyncFailureRecord, checkAsyncSettings, DEFAULT_ASYNC_SETTINGS } from './async-invocations.ts';
import { ConnectionRegistry } from './connections.ts';
import type { ApiDescription } from './events.ts';
import { type FunctionCodeOptions, FunctionHost, type FunctionRuntimeOptions, type InvocationRecord } from './function-host.ts';
import { type HttpFrontOptions, listen, serveHttp } from './http-front.ts';
import { apiIdFor } from './ids.ts';
import { serveInvokeApi } from './lambda-invoke-api.ts';
import { InFlightWork, stopOnce } from './shutdown.ts';
import { type AwsIdentity, type GatewayStorage, prepareStorage, type StorageOptions } from './storage.ts';
import { type FrameLimits, WebSocketFrontDoor } from './websocket-server.ts';

/** API Gateway's connection quotas. */
interface ConnectionOptions {
  /** @default 10 minutes */
  idleTimeoutMs?: number;
  /** @default 2 hours */
  maxConnectionDurationMs?: number;
  /** @default 32 KB */
  frameLimitBytes?: number;
  /** @default 128 KB */
  messageLimitBytes?: number;
  /**
   * API Gateway's integration timeout: a frame's route function running longer makes the gateway
   * send AWS's `Endpoint request timed out` frame (the function runs on). @default 29000
   */
  integrationTimeoutMs?: number;
}

/** The model behind the `bedrock` responder. */
interface AssistantOptions {
  /**
   * Starts a fake Bedrock runtime on loopback and points the functions at it; `bedrock` becomes the
   * default RESPONDER (a RESPONDER of `echo` or `echo-stream` in functionEnvironment starts none).
   * stop() stops it after the functions. @default none: RESPONDER as functionEnvironment says (code default echo)
   */
  fakeBedrock?: FakeBedrockOptions;
}

/** Each part's options, in one flat object (the parts read their own). */
interface LocalGatewayOptions extends HttpFrontOptions, ConnectionOptions, StorageOptions, FunctionCodeOptions, FunctionRuntimeOptions, AssistantOptions {
  /** @default 'dev' */
  stage?: string;
  /** ENVIRONMENT: names the tables (`{env}-chatbot-*`) and the functions. @default 'dev' */
  environment?: string;
}

interface LocalGateway {
  /** e.g. `ws://127.0.0.1:3001/dev` */
  url: string;
  /** e.g. `http://127.0.0.1:3001/dev` (WS_MANAGEMENT_ENDPOINT) */
  managementEndpoint: string;
  port: number;
  stage: string;
  environment: string;
  tables: LocalTableNames;
  dynamoDb: { endpoint: string; pid?: number };
  /** Connection rows a previous run left in the gateway's own DynamoDB Local (its data dir), deleted at start. */
  staleConnectionRowsCleared: number;
  /** The fake Bedrock the `bedrock` responder talks to (its requests, for tests), when `fakeBedrock` started one. */
  fakeBedrock: FakeBedrock | undefined;
  /** Lambda's Invoke API for the functions, on loopback (the functions' AWS_ENDPOINT_URL_LAMBDA), e.g. `http://127.0.0.1:40123`. */
  lambdaEndpoint: string;
  /** Async events Lambda gave up on (retries exhausted, or too old), as its on-failure destination would receive them. */
  asyncFailures: readonly AsyncFailureRecord[];
  /**
   * Test only: kills the sandboxes of a function (short name, e.g. `respond`) that are running an
   * invocation now, as a crash of the runtime would (the invocation fails with Runtime.ExitError; an
   * async event is then retried). @returns how many were killed
   */
  crashSandboxes(functionName: string): number;
  /** Closes every connection (running `$disconnect`), stops the functions, the server and an owned DynamoDB Local. */
  stop(): Promise<void>;
}

/** No fake Bedrock: the functions' RESPONDER is what functionEnvironment says. */
const NO_ASSISTANT: LocalAssistant = { fake: undefined, environment: {}, stop: async () => {} };

/** The Lambda runtime's Region and credentials: this process's, or DynamoDB Local's fixed ones. */
const awsIdentity = (): AwsIdentity => ({
  region: process.env.AWS_REGION ?? LOCAL_DEFAULTS.region,
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? LOCAL_DEFAULTS.accessKeyId,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? LOCAL_DEFAULTS.secretAccessKey,
});

/** The options' values Lambda or API Gateway would refuse, refused before anything starts. */
const checkEmulationOptions = (options: LocalGatewayOptions): void => {
  checkAsyncSettings({ ...DEFAULT_ASYNC_SETTINGS, ...options.asyncInvocation });
  const timeout = options.integrationTimeoutMs;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new Error(`integrationTimeoutMs must be a positive number of milliseconds, got ${timeout}`);
};

const frameLimits = (options: ConnectionOptions): FrameLimits => ({
  frameLimitBytes: options.frameLimitBytes ?? LOCAL_DEFAULTS.frameLimitBytes,
  messageLimitBytes: options.messageLimitBytes ?? LOCAL_DEFAULTS.messageLimitBytes,
});

const connectionRegistry = (options: ConnectionOptions): ConnectionRegistry =>
  new ConnectionRegistry({
    idleTimeoutMs: options.idleTimeoutMs ?? LOCAL_DEFAULTS.idleTimeoutMs,
    maxDurationMs: options.maxConnectionDurationMs ?? LOCAL_DEFAULTS.maxConnectionDurationMs,
  });

/** The parts on a listening port: the function host, the WebSocket front door, the management API, and their stop. */
const assemble = async (options: LocalGatewayOptions, storage: GatewayStorage, identity: AwsIdentity, assistant: LocalAssistant): Promise<LocalGateway> => {
  const stage = options.stage ?? LOCAL_DEFAULTS.stage;
  const environment = options.environment ?? LOCAL_DEFAULTS.environment;
  const { server, port, urlHost } = await listen(options.port ?? LOCAL_DEFAULTS.port, options.host ?? LOCAL_DEFAULTS.host);
  const lambdaListener = await listen(0, '127.0.0.1').catch((error: unknown) => {
    server.close();
    throw error;
  });
  const managementEndpoint = `http://${urlHost}:${port}/${stage}`;
  const api: ApiDescription = { apiId: apiIdFor(), stage, region: identity.region, accountId: LOCAL_DEFAULTS.accountId };
  const services = {
    ...identity,
    environment,
    connectionsTable: storage.tables.connections,
    messagesTable: storage.tables.messages,
    managementEndpoint,
    dynamoDbEndpoint: storage.endpoint,
    lambdaEndpoint: `http://127.0.0.1:${lambdaListener.port}`,
  };
  const inFlight = new InFlightWork();
  const functions = new FunctionHost({ ...options, functionEnvironment: { ...options.functionEnvironment, ...assistant.environment } }, services, api.accountId, inFlight.track);
  const invokeApi = serveInvokeApi(
    lambdaListener,
    {
      functionNamePrefix: `${environment}-websocket`,
      region: identity.region,
      accountId: api.accountId,
      functionNames: functions.functionNames,
      invokeFunction: (name, event, source) => functions.invokeFunction(name, event, source),
      enqueueEvent: (name, event) => functions.asyncEvents.enqueue(name, event),
    },
    inFlight.track,
  );
  const registry = connectionRegistry(options);
  const limits = frameLimits(options);
  const { integrations } = functions;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? LOCAL_DEFAULTS.integrationTimeoutMs;
  const frontDoor = new WebSocketFrontDoor({ api, registry, integrations, limits, integrationTimeoutMs, fallbackDomainName: () => `localhost:${port}`, track: inFlight.track });
  serveHttp(server, { frontDoor, management: { stage, registry, limits }, onHttpRequest: options.onHttpRequest, track: inFlight.track });
  return {
    url: `ws://${urlHost}:${port}/${stage}`,
    managementEndpoint,
    port,
    stage,
    environment,
    tables: storage.tables,
    dynamoDb: { endpoint: storage.endpoint, ...(storage.pid === undefined ? {} : { pid: storage.pid }) },
    staleConnectionRowsCleared: storage.staleConnectionRowsCleared,
    fakeBedrock: assistant.fake,
    lambdaEndpoint: invokeApi.endpoint,
    asyncFailures: functions.asyncFailures,
    crashSandboxes: (functionName) => functions.crashSandboxes(functionName),
    stop: stopOnce({ server, registry, inFlight, frontDoor, functions, invokeApi, assistant, storage }),
  };
};

/**
 * Starts the local API Gateway: WebSocket and `@connections` on one port, the project's functions
 * in Lambda-like sandboxes, tables created in DynamoDB Local.
 * @example
 * const gateway = await startLocalGateway({ port: 0, environment: 'e2e-chat' });
 * const socket = new WebSocket(`${gateway.url}?token=${token}`);
 * await gateway.stop();
 */
const startLocalGateway = async (options: LocalGatewayOptions = {}): Promise<LocalGateway> => {
  checkEmulationOptions(options);
  const identity = awsIdentity();
  const storage = await prepareStorage(options, options.environment ?? LOCAL_DEFAULTS.environment, identity);
  let assistant: LocalAssistant | undefined;
  try {
    assistant = options.fakeBedrock ? await startLocalAssistant(options.fakeBedrock, options.functionEnvironment ?? {}) : NO_ASSISTANT;
    return await assemble(options, storage, identity, assistant);
  } catch (error) {
    await assistant?.stop();
    await storage.stop();
    throw error;
  }
};

export type { AsyncFailureRecord, InvocationRecord, LocalGateway, LocalGatewayOptions };
export { startLocalGateway };
