import { requestTime } from './ids.ts';

/** What the gateway knows about the API it emulates (fixed for its life). */
interface ApiDescription {
  apiId: string;
  stage: string;
  region: string;
  accountId: string;
}

/** What API Gateway knows about one connection, from the upgrade request on. */
interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  domainName: string;
  sourceIp: string;
  userAgent?: string;
}

/** The upgrade request's parameters, as API Gateway passes them on. */
interface UpgradeRequestFacts {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
}

/** `requestContext.authorizer` on every event after the handshake: the policy's context plus principalId. */
type AuthorizerFacts = Record<string, string | number | boolean>;

type EventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT';

interface WebSocketRequestContext {
  routeKey: string;
  eventType: EventType;
  messageId?: string;
  extendedRequestId: string;
  requestTime: string;
  messageDirection: 'IN';
  disconnectStatusCode?: number;
  disconnectReason?: string;
  stage: string;
  connectedAt: number;
  requestTimeEpoch: number;
  identity: { sourceIp: string; userAgent?: string };
  requestId: string;
  domainName: string;
  connectionId: string;
  apiId: string;
  authorizer?: AuthorizerFacts;
}

interface RequestIds {
  requestId: string;
  nowMs: number;
}

const methodArn = (api: ApiDescription, routeKey: string): string => `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${routeKey}`;

const requestContext = (api: ApiDescription, connection: ConnectionFacts, routeKey: string, eventType: EventType, ids: RequestIds): WebSocketRequestContext => ({
  routeKey,
  eventType,
  extendedRequestId: ids.requestId,
  requestTime: requestTime(ids.nowMs),
  messageDirection: 'IN',
  stage: api.stage,
  connectedAt: connection.connectedAt,
  requestTimeEpoch: ids.nowMs,
  identity: {
    ...(connection.userAgent === undefined ? {} : { userAgent: connection.userAgent }),
    sourceIp: connection.sourceIp,
  },
  requestId: ids.requestId,
  domainName: connection.domainName,
  connectionId: connection.connectionId,
  apiId: api.apiId,
});

/** The REQUEST authorizer's input for `$connect` (identity source: the query string's token). */
const authorizerEvent = (api: ApiDescription, connection: ConnectionFacts, request: UpgradeRequestFacts, ids: RequestIds) => ({
  type: 'REQUEST' as const,
  methodArn: methodArn(api, '$connect'),
  headers: request.headers,
  multiValueHeaders: request.multiValueHeaders,
  queryStringParameters: request.queryStringParameters,
  multiValueQueryStringParameters: request.multiValueQueryStringParameters,
  stageVariables: {},
  requestContext: requestContext(api, connection, '$connect', 'CONNECT', ids),
  isBase64Encoded: false,
  body: null,
});

/** `$connect`: the upgrade request's headers and query string, and the authorizer's context. */
const connectEvent = (api: ApiDescription, connection: ConnectionFacts, request: UpgradeRequestFacts, authorizer: AuthorizerFacts | undefined, ids: RequestIds) => ({
  headers: request.headers,
  multiValueHeaders: request.multiValueHeaders,
  ...(request.queryStringParameters === null
    ? {}
    : {
        queryStringParameters: request.queryStringParameters,
        multiValueQueryStringParameters: request.multiValueQueryStringParameters,
      }),
  requestContext: {
    ...requestContext(api, connection, '$connect', 'CONNECT', ids),
    ...(authorizer === undefined ? {} : { authorizer }),
  },
  isBase64Encoded: false,
});

/** A client frame routed to `routeKey` (a custom route or `$default`). */
const messageEvent = (
  api: ApiDescription,
  connection: ConnectionFacts,
  routeKey: string,
  body: string,
  authorizer: AuthorizerFacts | undefined,
  ids: RequestIds & { messageId: string },
) => ({
  requestContext: {
    ...requestContext(api, connection, routeKey, 'MESSAGE', ids),
    messageId: ids.messageId,
    ...(authorizer === undefined ? {} : { authorizer }),
  },
  body,
  isBase64Encoded: false,
});

/** `$disconnect`, with the close code and reason, after the socket is gone. */
const disconnectEvent = (api: ApiDescription, connection: ConnectionFacts, close: { code: number; reason: string }, authorizer: AuthorizerFacts | undefined, ids: RequestIds) => {
  // API Gateway sends these few headers on $disconnect, whatever the client sent at the upgrade.
  const headers = { Host: connection.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  return {
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    requestContext: {
      ...requestContext(api, connection, '$disconnect', 'DISCONNECT', ids),
      disconnectStatusCode: close.code,
      disconnectReason: close.reason,
      ...(authorizer === undefined ? {} : { authorizer }),
    },
    isBase64Encoded: false,
  };
};

export type { ApiDescription, AuthorizerFacts, ConnectionFacts, RequestIds, UpgradeRequestFacts, WebSocketRequestContext };
export { authorizerEvent, connectEvent, disconnectEvent, messageEvent, methodArn };
