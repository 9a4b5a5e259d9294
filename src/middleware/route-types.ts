import type { Context } from 'aws-lambda';
import type { Delivery } from '../domain/delivery.ts';

/** What the authorizer put in the connection's context (values may arrive as strings). */
interface AuthorizerContext {
  userId?: unknown;
  tokenExpiresAt?: unknown;
  [key: string]: unknown;
}

/** API Gateway's WebSocket route event (the fields this project reads). */
interface WebSocketEvent<Body = string | undefined> {
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT' | 'DISCONNECT' | 'MESSAGE';
    connectionId: string;
    requestId: string;
    messageId?: string;
    connectedAt?: number;
    requestTimeEpoch?: number;
    domainName?: string;
    stage?: string;
    apiId?: string;
    identity?: { sourceIp?: string; userAgent?: string };
    authorizer?: AuthorizerContext;
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body: Body;
  isBase64Encoded?: boolean;
}

interface AuthenticatedUser {
  userId: string;
  /** epoch seconds; undefined when the authorizer did not pass it */
  tokenExpiresAt?: number;
}

/** The Lambda context, plus what the project's middleware adds per request. */
interface RouteContext extends Context {
  auth: AuthenticatedUser;
  delivery: Delivery;
  /** At `$connect`: the cap slot the connection cap took for this connection (stored on its row). */
  connectionSlot?: string;
}

interface RouteResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export type { AuthorizerContext, WebSocketEvent, AuthenticatedUser, RouteContext, RouteResponse };
