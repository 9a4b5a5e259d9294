/** The IAM policy a REQUEST authorizer returns to API Gateway. */
interface AuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: Array<{ Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }>;
  };
  context?: Record<string, string | number | boolean>;
}

const policy = (effect: 'Allow' | 'Deny', principalId: string, methodArn: string): AuthorizerResult => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }],
  },
});

/** Allow on the connect route's method ARN, with the user and token expiry for every later event. */
const allowPolicy = (methodArn: string, userId: string, tokenExpiresAt: number): AuthorizerResult => ({
  ...policy('Allow', userId, methodArn),
  context: { userId, tokenExpiresAt },
});

/** Deny: API Gateway answers 403. */
const denyPolicy = (methodArn: string): AuthorizerResult => policy('Deny', 'anonymous', methodArn);

/**
 * Browsers always send Origin, so an allow-list stops other sites' pages from opening sockets with a
 * user's token; clients that send no Origin (servers, CLIs) are not browsers and pass.
 */
const isOriginAllowed = (origin: string | undefined, allowedOrigins: readonly string[]): boolean =>
  allowedOrigins.length === 0 || origin === undefined || allowedOrigins.includes(origin);

export type { AuthorizerResult };
export { allowPolicy, denyPolicy, isOriginAllowed };
