import { describe, expect, it } from '@jest/globals';
import { CONNECTIONS_METHODS, FUNCTIONS, type FunctionSpec } from '../../src/config/function-manifest.ts';
import { USER_ID_INDEX } from '../../src/data/table-definitions.ts';
import { exampleStack, functionKey, resourcesOfType } from './support/fixture.ts';
import { type Statement, actionsOf, dynamodbAccess, manageConnectionsFindings, resourcesOf, statementsOf, wildcardFindings } from './support/iam-policy.ts';
import type { Stack } from './support/stack.ts';

const CONNECTIONS_ARN = '«module.tables.aws_dynamodb_table.connections.arn»';
const MESSAGES_ARN = '«module.tables.aws_dynamodb_table.messages.arn»';
const EXECUTION_ARN = '«module.api.aws_apigatewayv2_api.this.execution_arn»';

const policies = (stack: Stack): Map<string, Statement[]> =>
  new Map(resourcesOfType(stack, 'aws_iam_role_policy').map((p) => [String(functionKey(p)), statementsOf(p.attributes.policy ?? null)]));

/** What the manifest says each function may do in DynamoDB, by resource ARN. */
const expectedDynamodb = (spec: FunctionSpec): Record<string, string[]> => {
  const expected: Record<string, string[]> = {};
  if (spec.dynamodb.connections) expected[CONNECTIONS_ARN] = [...spec.dynamodb.connections].sort();
  if (spec.dynamodb.connectionsUserIndex) expected[`${CONNECTIONS_ARN}/index/${USER_ID_INDEX}`] = [...spec.dynamodb.connectionsUserIndex].sort();
  if (spec.dynamodb.messages) expected[MESSAGES_ARN] = [...spec.dynamodb.messages].sort();
  return expected;
};

const asRecord = (access: Map<string, Set<string>>): Record<string, string[]> =>
  Object.fromEntries([...access].map(([resource, actions]) => [resource, [...actions].sort()]));

describe('Terraform IAM', () => {
  it('gives each function its own role and one inline policy', async () => {
    // Act
    const stack = await exampleStack();

    // Assess
    const roles = resourcesOfType(stack, 'aws_iam_role').filter((r) => functionKey(r));
    expect(roles.map((r) => functionKey(r)).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    for (const role of roles) {
      expect(JSON.parse(String(role.attributes.assume_role_policy)).Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
    }
    expect([...policies(stack).keys()].sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    expect(resourcesOfType(stack, 'aws_iam_role_policy_attachment').filter((r) => functionKey(r))).toEqual([]);
  });

  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))('grants %s exactly the DynamoDB actions of the manifest, on its table and index ARNs', async (name, spec) => {
    // Act
    const statements = policies(await exampleStack()).get(name) ?? [];

    // Assess
    expect(asRecord(dynamodbAccess(statements))).toEqual(expectedDynamodb(spec));
  });

  it('allows no wildcard action, and no * resource except for X-Ray, in any statement', async () => {
    // Prepare
    const variants = [await exampleStack(), await exampleStack({ jwt_secret_kms_key_arn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' })];

    // Act
    const findings = variants.flatMap((stack) => [...policies(stack)].flatMap(([name, statements]) => wildcardFindings(statements).map((f) => `${name} ${f}`)));

    // Assess
    expect(findings).toEqual([]);
  });

  it('lets a function write only to its own log group', async () => {
    // Act
    const all = policies(await exampleStack());

    // Assess
    for (const [name, statements] of all) {
      const logResources = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:'))).flatMap(resourcesOf);
      expect(logResources).toEqual([`«module.functions["${name}"].aws_cloudwatch_log_group.this.arn»:*`]);
    }
  });

  it('grants ManageConnections only to the functions that post, only on this API and stage @connections', async () => {
    // Act
    const all = policies(await exampleStack());

    // Assess
    for (const spec of FUNCTIONS) {
      const statements = all.get(spec.name) ?? [];
      const granted = statements.some((s) => actionsOf(s).includes('execute-api:ManageConnections'));
      expect([spec.name, granted]).toEqual([spec.name, spec.managesConnections]);
      expect(manageConnectionsFindings(statements, spec.managesConnections, EXECUTION_ARN, 'prod')).toEqual([]);
    }
  });

  it('grants on @connections exactly the methods of the manifest (CONNECTIONS_METHODS)', async () => {
    // Act
    const all = policies(await exampleStack());

    // Assess
    for (const spec of FUNCTIONS.filter((f) => f.managesConnections)) {
      const methods = (all.get(spec.name) ?? [])
        .filter((s) => actionsOf(s).includes('execute-api:ManageConnections'))
        .flatMap(resourcesOf)
        .map((resource) => /\/([A-Z]+)\/@connections\/\*$/.exec(resource)?.[1]);
      expect([spec.name, methods.sort()]).toEqual([spec.name, [...CONNECTIONS_METHODS].sort()]);
    }
  });

  it('lets only the authorizer read its one SSM parameter, and decrypt through SSM only with a customer managed key', async () => {
    // Prepare
    const kmsKey = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const withSecret = policies(await exampleStack());
    const withKey = policies(await exampleStack({ jwt_secret_kms_key_arn: kmsKey }));
    const withJwks = policies(await exampleStack({ jwt_secret_parameter_name: '', jwt_jwks_url: 'https://issuer.example.com/jwks.json' }));

    // Assess
    const ssmOf = (all: Map<string, Statement[]>) =>
      [...all].flatMap(([name, statements]) => statements.filter((s) => actionsOf(s).some((a) => /^(ssm|kms):/.test(a))).map((s) => ({ name, s })));
    expect(ssmOf(withSecret)).toEqual([
      {
        name: 'authorizer',
        s: expect.objectContaining({
          Action: FUNCTIONS.find((f) => f.name === 'authorizer')?.ssm,
          Resource: ['arn:«data.aws_partition.current.partition»:ssm:«data.aws_region.current.region»:«data.aws_caller_identity.current.account_id»:parameter/chatbot/prod/jwt-secret'],
        }),
      },
    ]);
    expect(ssmOf(withKey).map(({ s }) => s)).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt'],
        Resource: [kmsKey],
        Condition: { StringEquals: { 'kms:ViaService': ['ssm.«data.aws_region.current.region».amazonaws.com'] } },
      }),
    );
    expect(ssmOf(withJwks)).toEqual([]);
  });

  it('uses only the services the code calls', async () => {
    // Act
    const services = new Set([...policies(await exampleStack()).values()].flat().flatMap(actionsOf).map((a) => a.split(':')[0]));

    // Assess
    expect([...services].sort()).toEqual(['dynamodb', 'execute-api', 'logs', 'ssm', 'xray']);
  });

  it('catches wildcards and foreign ManageConnections in a deliberately bad policy', () => {
    // Prepare
    const bad: Statement[] = [
      { Sid: 'Everything', Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
      { Sid: 'AnyTable', Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ['arn:aws:dynamodb:*:*:table/*'] },
      { Sid: 'AnyApi', Effect: 'Allow', Action: ['execute-api:ManageConnections'], Resource: ['arn:aws:execute-api:*:*:*/prod/POST/@connections/*'] },
    ];

    // Act
    const wildcards = wildcardFindings(bad);
    const connections = manageConnectionsFindings(bad, true, EXECUTION_ARN, 'prod');
    const notAllowed = manageConnectionsFindings(bad, false, EXECUTION_ARN, 'prod');

    // Assess
    expect(wildcards).toEqual([
      'Everything: wildcard action dynamodb:*',
      'Everything: resource * for dynamodb:*',
      'AnyTable: wildcard resource arn:aws:dynamodb:*:*:table/*',
    ]);
    expect(connections).toEqual(['AnyApi: ManageConnections on arn:aws:execute-api:*:*:*/prod/POST/@connections/*']);
    expect(notAllowed).toHaveLength(1);
  });
});
