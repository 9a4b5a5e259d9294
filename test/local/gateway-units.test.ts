import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { evaluateAuthorizerResult } from '../../src/local/gateway/authorizer-policy.ts';
import { awsStyleId, requestTime } from '../../src/local/gateway/ids.ts';
import { selectRoute } from '../../src/local/gateway/routes.ts';

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:abcdef1234/dev/$connect';
const statement = (Effect: string, Resource: string | string[], Action: string | string[] = 'execute-api:Invoke') => ({
  Effect,
  Action,
  Resource,
});
const result = (statements: unknown[], context?: unknown) => ({
  principalId: 'alice',
  policyDocument: { Version: '2012-10-17', Statement: statements },
  ...(context === undefined ? {} : { context }),
});

describe('route selection on $request.body.action', () => {
  const routes = new Set(['chat_message', 'ping', '$default']);

  it.each([
    ['{"action":"ping"}', 'ping'],
    ['{"action":"chat_message","data":{}}', 'chat_message'],
    ['{"action":"dance"}', '$default'],
    ['{"action":"$connect"}', '$default'],
    ['{"action":1}', '$default'],
    ['["ping"]', '$default'],
    ['not json', '$default'],
    ['', '$default'],
  ])('routes %s to %s', (body, expected) => {
    expect(selectRoute(body, routes)).toBe(expected);
  });

  it('selects no route for an unmatched frame when there is no $default', () => {
    expect(selectRoute('{"action":"dance"}', new Set(['ping']))).toBeUndefined();
  });

  it('never selects a reserved or unknown route, whatever the frame', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.record({ action: fc.string() }).map((o) => JSON.stringify(o)),
        ),
        (body) => {
          expect(['chat_message', 'ping', '$default']).toContain(selectRoute(body, routes));
        },
      ),
    );
  });
});

describe('authorizer result evaluation', () => {
  it('allows on a matching Allow and passes the context as strings with principalId', () => {
    const outcome = evaluateAuthorizerResult(result([statement('Allow', ARN)], { userId: 'alice', exp: 12, admin: true }), ARN, 7);

    expect(outcome).toEqual({
      outcome: 'allow',
      authorizer: { userId: 'alice', exp: '12', admin: 'true', principalId: 'alice', integrationLatency: 7 },
    });
  });

  it.each([
    ['a wildcard resource', [statement('Allow', 'arn:aws:execute-api:us-east-1:000000000000:abcdef1234/*')], 'allow'],
    ['a wildcard action', [statement('Allow', ARN, 'execute-api:*')], 'allow'],
    ['an explicit Deny beside an Allow', [statement('Allow', '*'), statement('Deny', ARN)], 'deny'],
    ['an Allow on another API', [statement('Allow', ARN.replace('abcdef1234', 'other00000'))], 'deny'],
    ['no statement', [], 'deny'],
  ])('decides %s', (_label, statements, expected) => {
    expect(evaluateAuthorizerResult(result(statements), ARN, 0).outcome).toBe(expected);
  });

  it.each([
    ['not an object', 'Allow'],
    ['no principalId', { policyDocument: { Statement: [statement('Allow', ARN)] } }],
    ['no policy', { principalId: 'alice' }],
    ['an object in the context', result([statement('Allow', ARN)], { nested: { a: 1 } })],
    ['a result above 8 KB', result([statement('Allow', ARN)], { big: 'x'.repeat(9000) })],
  ])('treats %s as a configuration error', (_label, value) => {
    expect(evaluateAuthorizerResult(value, ARN, 0).outcome).toBe('invalid');
  });
});

describe('AWS-shaped identifiers', () => {
  it('makes 16-character ids ending in "=" that need no URL encoding', () => {
    const ids = Array.from({ length: 200 }, awsStyleId);

    expect(ids.every((id) => /^[A-Za-z0-9_-]{15}=$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("formats requestTime like API Gateway's", () => {
    expect(requestTime(Date.UTC(2024, 1, 9, 18, 11, 43))).toBe('09/Feb/2024:18:11:43 +0000');
  });
});
