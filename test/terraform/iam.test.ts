import { describe, expect, it } from '@jest/globals';
import { CONNECTIONS_METHODS, FUNCTIONS, type FunctionSpec } from '../../src/config/function-manifest.ts';
import { USER_ID_INDEX } from '../../src/data/table-definitions.ts';
import { block, exampleStack, functionKey, resourcesOfType } from './support/fixture.ts';
import { actionsOf, dynamodbAccess, resourcesOf, type Statement, statementsOf } from './support/iam-policy.ts';
import type { Stack } from './support/stack.ts';
import { isObject, type Value } from './support/values.ts';

/**
 * Terraform against src/config/function-manifest.ts: the functions, their routes and their grants.
 * The rest of each policy (log group, X-Ray, SSM, the @connections scope, no wildcards) is asserted
 * by `terraform test` (terraform/tests/stack.tftest.hcl; the Bedrock ARNs with the mocked account in
 * terraform/tests/assistant.tftest.hcl).
 */
const CONNECTIONS_ARN = '«module.tables.aws_dynamodb_table.connections.arn»';
const PARTITION = '«data.aws_partition.current.partition»';
const ACCOUNT = '«data.aws_caller_identity.current.account_id»';
const MESSAGES_ARN = '«module.tables.aws_dynamodb_table.messages.arn»';

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

/** Bedrock actions granted per resource ARN. */
const bedrockAccess = (statements: Statement[]): Record<string, string[]> => {
  const access: Record<string, string[]> = {};
  for (const statement of statements) {
    const actions = actionsOf(statement).filter((a) => a.startsWith('bedrock:'));
    for (const resource of actions.length > 0 ? resourcesOf(statement) : []) access[resource] = [...new Set([...(access[resource] ?? []), ...actions])].sort();
  }
  return access;
};

/** What the manifest says each function may do in Bedrock, on the given model ARNs. */
const expectedBedrock = (spec: FunctionSpec, modelArns: string[]): Record<string, string[]> =>
  Object.fromEntries(spec.bedrock ? modelArns.map((arn) => [arn, [...(spec.bedrock ?? [])].sort()]) : []);

/** lambda:InvokeFunction grants, as the functions' unqualified ARNs. */
const invokeAccess = (statements: Statement[]): string[] =>
  statements
    .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'))
    .flatMap(resourcesOf)
    .sort();

/** What the manifest says each function may invoke: each target's ARN, built from the stack's name prefix (prod-websocket). */
const expectedInvokes = (spec: FunctionSpec): string[] =>
  (spec.invokes ?? []).map((target) => `arn:${PARTITION}:lambda:eu-west-1:${ACCOUNT}:function:prod-websocket-${target}`).sort();

const asRecord = (access: Map<string, Set<string>>): Record<string, string[]> => Object.fromEntries([...access].map(([resource, actions]) => [resource, [...actions].sort()]));

describe('Terraform against the function manifest', () => {
  it('deploys exactly the manifest functions, each behind its manifest route', async () => {
    // Prepare
    const stack = await exampleStack();

    // Act
    const functions = resourcesOfType(stack, 'aws_lambda_function').map((f) => functionKey(f));
    const routes = Object.fromEntries(
      resourcesOfType(stack, 'aws_apigatewayv2_integration').map((i) => [i.key, /functions\["([^"]+)"\]/.exec(String(i.attributes.integration_uri))?.[1]]),
    );

    // Assess
    expect(functions.sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    expect(routes).toEqual(Object.fromEntries(FUNCTIONS.filter((f) => f.route !== 'authorizer' && f.route !== 'async').map((f) => [f.route, f.name])));
  });

  it('lets API Gateway invoke every function but the async ones, which no API Gateway permission reaches', async () => {
    // Prepare
    const stack = await exampleStack();

    // Act
    const permitted = resourcesOfType(stack, 'aws_lambda_permission').map((p) => [functionKey(p), p.attributes.principal]);

    // Assess
    expect(permitted.sort()).toEqual(
      FUNCTIONS.filter((f) => f.route !== 'async')
        .map((f) => [f.name, 'apigateway.amazonaws.com'])
        .sort(),
    );
    expect(FUNCTIONS.some((f) => f.route === 'async')).toBe(true);
  });

  it('grants lambda:InvokeFunction exactly on the functions each function invokes (manifest invokes), by their unqualified ARNs', async () => {
    // Act
    const all = policies(await exampleStack());

    // Assess
    const granted = FUNCTIONS.map((spec) => [spec.name, invokeAccess(all.get(spec.name) ?? [])]);
    expect(granted).toEqual(FUNCTIONS.map((spec) => [spec.name, expectedInvokes(spec)]));
    expect(FUNCTIONS.some((spec) => (spec.invokes ?? []).length > 0)).toBe(true);
  });

  it('gives each function it invokes the async invoke configuration, with an on-failure queue its own role may send to', async () => {
    // Prepare
    const stack = await exampleStack();
    const all = policies(stack);
    const invoked = [...new Set(FUNCTIONS.flatMap((spec) => spec.invokes ?? []))].sort();

    // Act
    const configured = resourcesOfType(stack, 'aws_lambda_function_event_invoke_config').map((config) => {
      const name = /^«module\.functions\["([^"]+)"\]\./.exec(String(config.attributes.function_name))?.[1];
      const onFailure = block(config, 'destination_config').on_failure;
      const destination = String(Array.isArray(onFailure) && isObject(onFailure[0] ?? null) ? (onFailure[0] as Record<string, Value>).destination : undefined);
      return { name, destination, sendGranted: (all.get(String(name)) ?? []).some((s) => actionsOf(s).includes('sqs:SendMessage') && resourcesOf(s).includes(destination)) };
    });

    // Assess
    expect(configured.map((c) => c.name).sort()).toEqual(invoked);
    for (const config of configured) expect(config).toEqual({ name: config.name, destination: expect.stringMatching(/^«aws_sqs_queue\.\w+\.arn»$/), sendGranted: true });
  });

  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))('grants %s exactly the DynamoDB actions of the manifest, on its table and index ARNs', async (name, spec) => {
    // Act
    const statements = policies(await exampleStack()).get(name) ?? [];

    // Assess
    expect(asRecord(dynamodbAccess(statements))).toEqual(expectedDynamodb(spec));
  });

  it('grants ManageConnections exactly to the functions the manifest says post to clients', async () => {
    // Act
    const all = policies(await exampleStack());

    // Assess
    const granted = FUNCTIONS.map((spec) => [spec.name, (all.get(spec.name) ?? []).some((s) => actionsOf(s).includes('execute-api:ManageConnections'))]);
    expect(granted).toEqual(FUNCTIONS.map((spec) => [spec.name, spec.managesConnections]));
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

  it.each([
    ['a foundation model id', 'anthropic.claude-3-haiku-20240307-v1:0', {}, [`arn:${PARTITION}:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`]],
    [
      'a cross-Region inference profile id',
      'apac.amazon.nova-micro-v1:0',
      { bedrock_region: 'ap-southeast-2' },
      [`arn:${PARTITION}:bedrock:ap-southeast-2:${ACCOUNT}:inference-profile/apac.amazon.nova-micro-v1:0`, `arn:${PARTITION}:bedrock:*::foundation-model/amazon.nova-micro-v1:0`],
    ],
    [
      'an inference profile ARN',
      'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0',
      { bedrock_inference_profile_model_arns: ['arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0'] },
      ['arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0', 'arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0'],
    ],
  ])('grants Bedrock exactly the actions of the manifest, to its functions, on %s only', async (_shape, modelId, overrides, modelArns) => {
    // Act
    const all = policies(await exampleStack({ bedrock_model_id: modelId, ...overrides }));

    // Assess
    const granted = FUNCTIONS.map((spec) => [spec.name, bedrockAccess(all.get(spec.name) ?? [])]);
    expect(granted).toEqual(FUNCTIONS.map((spec) => [spec.name, expectedBedrock(spec, modelArns)]));
    expect(FUNCTIONS.some((spec) => spec.bedrock)).toBe(true);
  });

  it('grants no function Bedrock when the responder is an echo', async () => {
    // Act
    const all = policies(await exampleStack({ responder: 'echo' }));

    // Assess
    expect(FUNCTIONS.map((spec) => [spec.name, bedrockAccess(all.get(spec.name) ?? [])])).toEqual(FUNCTIONS.map((spec) => [spec.name, {}]));
  });

  it('grants SSM exactly the actions of the manifest, to the functions that read a parameter', async () => {
    // Act
    const all = policies(await exampleStack());

    // Assess
    const ssmActions = FUNCTIONS.map((spec) => [
      spec.name,
      (all.get(spec.name) ?? [])
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('ssm:'))
        .sort(),
    ]);
    expect(ssmActions).toEqual(FUNCTIONS.map((spec) => [spec.name, [...(spec.ssm ?? [])].sort()]));
  });
});
