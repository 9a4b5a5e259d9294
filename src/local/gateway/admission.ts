import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { evaluateAuthorizerResult } from './authorizer-policy.ts';
import type { ConnectionRegistry, LiveConnection } from './connections.ts';
import { type ApiDescription, type AuthorizerFacts, authorizerEvent, type ConnectionFacts, connectEvent, methodArn, type UpgradeRequestFacts } from './events.ts';
import { resultHeader, upgradeProblem, upgradeRequestFacts } from './handshake-request.ts';
import { awsStyleId } from './ids.ts';
import type { InvokeOutcome } from './lambda-runtime.ts';
import { INTERNAL_ERROR_BODY, refuse, STATUS_TEXT } from './refusal.ts';

/** Runs the function behind a route (`authorizer`, `$connect`, a custom route, ...). */
interface Integrations {
  /** Custom route keys plus `$default` when configured. */
  messageRouteKeys: ReadonlySet<string>;
  has(routeKey: string): boolean;
  invoke(routeKey: string, event: unknown): Promise<InvokeOutcome>;
}

/** How far one handshake got: what must be undone if it fails. */
interface Handshake {
  /** Registered (state `connecting`) from the authorizer's Allow on. */
  connection: LiveConnection | undefined;
  /** `$connect` succeeded (or there is none): `$disconnect` must run once the connection is gone. */
  connected: boolean;
  /** ws took over the socket: no HTTP answer may be written any more. */
  upgrading: boolean;
  /** The subprotocol `$connect` echoed, sent back in the 101. */
  protocol: string | undefined;
}

interface AdmissionDeps {
  api: ApiDescription;
  registry: ConnectionRegistry;
  integrations: Integrations;
  /** `localhost:3001` when the request has no Host header. */
  fallbackDomainName: () => string;
}

/** The authorizer's verdict: the context to attach to the connection, or the refusal already answered. */
type Authorization = { allowed: true; authorizer: AuthorizerFacts | undefined } | { allowed: false };

/** Answers the refusal on the socket: the handshake ends there. */
const refused = (socket: Duplex, status: number, body: string, errorType: string): Authorization => {
  refuse(socket, status, body, errorType);
  return { allowed: false };
};

const connectionFacts = (req: IncomingMessage, sourceIp: string, nowMs: number, deps: AdmissionDeps): ConnectionFacts => ({
  connectionId: awsStyleId(),
  connectedAt: nowMs,
  domainName: req.headers.host ?? deps.fallbackDomainName(),
  sourceIp,
  ...(req.headers['user-agent'] === undefined ? {} : { userAgent: req.headers['user-agent'] }),
});

/** The REQUEST authorizer, when the API has one: a refusal is answered on the socket. */
const authorize = async (socket: Duplex, facts: ConnectionFacts, request: UpgradeRequestFacts, deps: AdmissionDeps, nowMs: number): Promise<Authorization> => {
  const { api, integrations } = deps;
  if (!integrations.has('authorizer')) return { allowed: true, authorizer: undefined };
  // Identity source route.request.querystring.token: missing or empty is 401 without invoking the authorizer.
  if (!request.queryStringParameters?.token) return refused(socket, 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
  const started = Date.now();
  const event = authorizerEvent(api, facts, request, { requestId: awsStyleId(), nowMs });
  const outcome = await integrations.invoke('authorizer', event);
  if (!outcome.ok && outcome.error.errorMessage === 'Unauthorized') {
    return refused(socket, 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
  }
  const decision = outcome.ok
    ? evaluateAuthorizerResult(outcome.result, methodArn(api, '$connect'), Date.now() - started)
    : ({ outcome: 'invalid', reason: outcome.error.errorMessage } as const);
  if (decision.outcome === 'deny') return refused(socket, 403, '{"message":"Forbidden"}', 'AccessDeniedException');
  if (decision.outcome === 'invalid') {
    return refused(socket, 500, INTERNAL_ERROR_BODY, 'AuthorizerConfigurationException');
  }
  return { allowed: true, authorizer: decision.authorizer };
};

/** `$connect`, when the API has it: a non-2xx result or a failure unregisters the connection and is answered. */
const runConnect = async (socket: Duplex, request: UpgradeRequestFacts, connection: LiveConnection, handshake: Handshake, deps: AdmissionDeps): Promise<void> => {
  const { api, registry, integrations } = deps;
  if (!integrations.has('$connect')) {
    handshake.connected = true;
    return;
  }
  const event = connectEvent(api, connection.facts, request, connection.authorizer, { requestId: awsStyleId(), nowMs: Date.now() });
  const outcome = await integrations.invoke('$connect', event);
  const status = outcome.ok ? Number((outcome.result as { statusCode?: unknown } | null)?.statusCode ?? 200) : 500;
  if (!outcome.ok || !(status >= 200 && status < 300)) {
    registry.remove(connection);
    handshake.connection = undefined;
    const body = outcome.ok ? (outcome.result as { body?: unknown }).body : undefined;
    return refuse(socket, outcome.ok ? status : 500, typeof body === 'string' ? body : INTERNAL_ERROR_BODY);
  }
  handshake.connected = true;
  handshake.protocol = resultHeader((outcome.result as { headers?: unknown }).headers, 'sec-websocket-protocol');
};

/**
 * Validation, the authorizer and `$connect`: sets `handshake.connection` when the connection may open,
 * and answers the request (as API Gateway would) when it may not.
 */
const admit = async (req: IncomingMessage, socket: Duplex, handshake: Handshake, deps: AdmissionDeps): Promise<void> => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.replace(/\/$/, '') !== `/${deps.api.stage}`) return refuse(socket, 403, '{"message":"Forbidden"}', 'ForbiddenException');
  const problem = upgradeProblem(req);
  if (problem) {
    return refuse(socket, problem.status, `{"message":"${STATUS_TEXT[problem.status]}"}`, undefined, problem.headers);
  }
  const nowMs = Date.now();
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const facts = connectionFacts(req, sourceIp, nowMs, deps);
  const request = upgradeRequestFacts(req, sourceIp, nowMs);
  const authorization = await authorize(socket, facts, request, deps, nowMs);
  if (!authorization.allowed) return;
  const connection = deps.registry.add(facts, authorization.authorizer);
  handshake.connection = connection;
  await runConnect(socket, request, connection, handshake, deps);
};

export type { AdmissionDeps, Handshake, Integrations };
export { admit };
