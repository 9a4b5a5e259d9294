import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2WithRequestContext, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import type { Delivery } from '../domain/delivery.ts';

/** What the authorizer put in the connection's context (values may arrive as strings). */
interface AuthorizerContext {
  userId?: unknown;
  tokenExpiresAt?: unknown;
  [key: string]: unknown;
}

/**
 * API Gateway's WebSocket request context as @types/aws-lambda has it, with what that type leaves
 * out: the authorizer's context, the caller's identity and `$disconnect`'s status. `messageId` is
 * optional: `$connect` and `$disconnect` events carry none.
 */
interface WebSocketRequestContext extends Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'> {
  messageId?: string;
  authorizer?: AuthorizerContext;
  identity?: { sourceIp?: string; userAgent?: string };
  disconnectStatusCode?: number;
  disconnectReason?: string;
}

/** A WebSocket route event; `$connect` also carries the handshake's headers. */
interface WebSocketEvent extends APIGatewayProxyWebsocketEventV2WithRequestContext<WebSocketRequestContext> {
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
}

/** What a WebSocket API's REQUEST authorizer reads of its event (@types/aws-lambda's REQUEST authorizer event). */
type WebSocketAuthorizerEvent = Pick<APIGatewayRequestAuthorizerEvent, 'type' | 'methodArn' | 'headers' | 'queryStringParameters'>;

interface AuthenticatedUser {
  userId: string;
  /** epoch seconds; undefined when the authorizer did not pass it */
  tokenExpiresAt?: number;
}

/** Added by `authContext`: who the authorizer said the user is. */
interface Authenticated {
  auth: AuthenticatedUser;
}

/** Added by `deliveries`: this request's posts and closes through the management API. */
interface Delivering {
  delivery: Delivery;
}

/** Added by `parseFrame` (`unknown`), narrowed by `validateFrame` to the route's frame type. */
interface WithFrame<Frame> {
  frame: Frame;
}

/** Added by `rateLimit`: how the frame was admitted. `closed`: sent just before its connection closed. */
interface Admitted {
  admission: { closed: boolean };
}

/** Added by `connectionCap` at `$connect`: the cap slot taken for this connection (stored on its row). */
interface WithConnectionSlot {
  connectionSlot: string;
}

interface RouteResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A context part that adds nothing (what a middleware needs when it reads nothing from the context). */
type NoContext = Record<never, never>;

/** The request a route middleware sees, with the context `Ctx` it can rely on. */
type RouteRequest<Ctx extends object = NoContext> = Request<WebSocketEvent, RouteResponse, Error, Context & Ctx>;

/**
 * A route middleware: Middy's MiddlewareObj, typed by what it reads from the context (`Needs`) and
 * what it adds to it (`Adds`), so that RouteChain refuses, at compile time, a middleware placed
 * before the one that provides what it needs.
 */
interface RouteMiddleware<Needs extends object = NoContext, Adds extends object = NoContext> extends MiddlewareObj<WebSocketEvent, RouteResponse, Error, Context & Needs & Adds> {
  /** The context fields it adds, checked once the chain reaches the route. */
  readonly adds?: readonly (keyof Adds & string)[];
  /** Type-level only, never set: lets TypeScript read `Needs` and `Adds` back from a middleware. */
  readonly contract?: { needs: Needs; adds: Adds };
}

export type {
  Admitted,
  Authenticated,
  AuthenticatedUser,
  AuthorizerContext,
  Delivering,
  NoContext,
  RouteMiddleware,
  RouteRequest,
  RouteResponse,
  WebSocketAuthorizerEvent,
  WebSocketEvent,
  WebSocketRequestContext,
  WithConnectionSlot,
  WithFrame,
};
