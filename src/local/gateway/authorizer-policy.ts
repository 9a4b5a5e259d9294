import type { AuthorizerFacts } from './events.ts';

/** API Gateway's limit on what an authorizer may return. */
const MAX_AUTHORIZER_RESULT_BYTES = 8 * 1024;

type AuthorizerOutcome =
  | { outcome: 'allow'; authorizer: AuthorizerFacts }
  | { outcome: 'deny' }
  /** A malformed result: API Gateway answers 500 (AuthorizerConfigurationException). */
  | { outcome: 'invalid'; reason: string };

interface PolicyStatement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** IAM-style wildcards: `*` any run of characters, `?` one character. */
const wildcardMatches = (pattern: unknown, value: string): boolean => {
  if (typeof pattern !== 'string') return false;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`).test(value);
};

const statementMatches = (statement: PolicyStatement, methodArn: string): boolean =>
  asList(statement.Action).some((action) => wildcardMatches(action, 'execute-api:Invoke')) && asList(statement.Resource).some((resource) => wildcardMatches(resource, methodArn));

/**
 * Applies a REQUEST authorizer's result the way API Gateway does: an explicit Deny on the method wins,
 * then an Allow on it lets the connection in; no matching statement is a Deny (403). A result without
 * principalId or policy, or a context value that is not a string, number or boolean, is a
 * configuration error (500). Context values reach the integration as strings.
 */
const evaluateAuthorizerResult = (result: unknown, methodArn: string, integrationLatency: number): AuthorizerOutcome => {
  if (result === null || typeof result !== 'object') return { outcome: 'invalid', reason: 'result is not an object' };
  const { principalId, policyDocument, context } = result as {
    principalId?: unknown;
    policyDocument?: { Statement?: unknown };
    context?: unknown;
  };
  if (typeof principalId !== 'string' || principalId.length === 0) return { outcome: 'invalid', reason: 'principalId is missing' };
  if (!policyDocument || !Array.isArray(policyDocument.Statement)) {
    return { outcome: 'invalid', reason: 'policyDocument.Statement is missing' };
  }
  if (Buffer.byteLength(JSON.stringify(result)) > MAX_AUTHORIZER_RESULT_BYTES) {
    return { outcome: 'invalid', reason: 'result is larger than 8 KB' };
  }
  const entries = Object.entries((context ?? {}) as Record<string, unknown>);
  if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) {
    return { outcome: 'invalid', reason: 'context is not an object' };
  }
  const badKey = entries.find(([, value]) => !['string', 'number', 'boolean'].includes(typeof value));
  if (badKey) return { outcome: 'invalid', reason: `context.${badKey[0]} is not a string, number or boolean` };

  const statements = policyDocument.Statement as PolicyStatement[];
  const matching = statements.filter((statement) => statement && statementMatches(statement, methodArn));
  if (matching.some((statement) => statement.Effect === 'Deny')) return { outcome: 'deny' };
  if (!matching.some((statement) => statement.Effect === 'Allow')) return { outcome: 'deny' };
  return {
    outcome: 'allow',
    authorizer: {
      ...Object.fromEntries(entries.map(([key, value]) => [key, String(value)])),
      principalId,
      integrationLatency,
    },
  };
};

export type { AuthorizerOutcome };
export { evaluateAuthorizerResult, MAX_AUTHORIZER_RESULT_BYTES, wildcardMatches };
