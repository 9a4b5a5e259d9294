import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { routeKeyForFrame } from '../src/config/function-manifest.ts';
import type { WebSocketEvent } from '../src/middleware/route-types.ts';

/** A frozen Lambda context, as Powertools' own tests use. */
const lambdaContext = (functionName = 'test-websocket-message'): Context =>
  Object.freeze({
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/25/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  });

interface EventOptions {
  connectionId: string;
  userId?: string;
  tokenExpiresAt?: number;
  body?: unknown;
  routeKey?: string;
  headers?: Record<string, string>;
}

/** A message-route event shaped like API Gateway's. `body` objects are serialised as a client would. */
const wsEvent = (options: EventOptions): WebSocketEvent => {
  const nowMs = Date.now();
  const routeKey = options.routeKey ?? routeKeyForFrame(options.body);
  const eventType = routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  return {
    requestContext: {
      routeKey,
      eventType,
      connectionId: options.connectionId,
      requestId: randomUUID(),
      messageId: randomUUID(),
      extendedRequestId: randomUUID(),
      requestTime: new Date(nowMs).toUTCString(),
      messageDirection: 'IN',
      connectedAt: nowMs - 1000,
      requestTimeEpoch: nowMs,
      domainName: 'test.execute-api.local',
      stage: 'test',
      apiId: 'testapi',
      identity: { sourceIp: '127.0.0.1' },
      ...(options.userId === undefined
        ? {}
        : {
            authorizer: {
              principalId: options.userId,
              userId: options.userId,
              tokenExpiresAt: options.tokenExpiresAt ?? Math.floor(nowMs / 1000) + 3600,
            },
          }),
    },
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    isBase64Encoded: false,
  };
};

let counter = 0;
/** An AWS-like connection id, unique within the run. */
const newConnectionId = (): string => {
  counter += 1;
  return `C${counter.toString().padStart(3, '0')}${randomUUID().slice(0, 10)}=`;
};

export { lambdaContext, newConnectionId, wsEvent };
