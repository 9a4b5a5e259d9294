import { randomUUID } from 'node:crypto';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/$connect';

/** A WebSocket REQUEST authorizer event, as API Gateway sends it for $connect. */
const authorizerEvent = (token: string | undefined, headers: Record<string, string> = {}) => ({
  type: 'REQUEST' as const,
  methodArn: METHOD_ARN,
  headers: { Host: 'abcdef1234.execute-api.us-east-1.amazonaws.com', ...headers },
  queryStringParameters: token === undefined ? {} : { token },
  requestContext: {
    routeKey: '$connect',
    eventType: 'CONNECT',
    connectionId: `A${randomUUID().slice(0, 14)}=`,
    requestId: randomUUID(),
    stage: 'dev',
    apiId: 'abcdef1234',
    domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
  },
});

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with whatever header and payload, signature as given: for tokens no library would sign. */
const craftToken = (header: unknown, payload: unknown, signature = ''): string => `${base64url(header)}.${base64url(payload)}.${signature}`;

export { authorizerEvent, base64url, craftToken, METHOD_ARN };
