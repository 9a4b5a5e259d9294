import { describe, expect, it } from '@jest/globals';
import { FUNCTIONS, FUNCTION_NAMES } from '../../src/config/function-manifest.ts';
import { block, exampleStack, functionKey, resourcesOfType } from './support/fixture.ts';
import type { ResourceInstance } from './support/stack.ts';

const byFunction = (resources: ResourceInstance[]): Map<string, ResourceInstance> =>
  new Map(resources.map((r) => [functionKey(r) ?? r.address, r]));

const CONTRACT = [
  'ENVIRONMENT',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'CONNECTIONS_TABLE',
  'MESSAGES_TABLE',
  'WS_MANAGEMENT_ENDPOINT',
  'MAX_CONNECTIONS_PER_USER',
  'RATE_LIMIT_BURST',
  'RATE_LIMIT_PER_SECOND',
  'CONNECT_RATE_BURST',
  'CONNECT_RATE_PER_SECOND',
  'REFUSAL_LIMIT',
  'REFUSAL_WINDOW_SECONDS',
  'CONNECTION_IDLE_TIMEOUT_SECONDS',
  'MESSAGE_RETENTION_DAYS',
];

describe('Terraform Lambda functions', () => {
  it('deploys exactly the functions of the manifest, as {env}-websocket-<name>', async () => {
    // Act
    const functions = resourcesOfType(await exampleStack(), 'aws_lambda_function');

    // Assess
    expect(functions.map((f) => functionKey(f)).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const fn of functions) expect(fn.attributes.function_name).toBe(`prod-websocket-${String(functionKey(fn))}`);
  });

  it('runs the prebuilt dist/<name>.zip on nodejs24.x with index.handler, its hash, X-Ray active and 256-512 MB', async () => {
    // Act
    const functions = resourcesOfType(await exampleStack(), 'aws_lambda_function');

    // Assess
    for (const fn of functions) {
      const name = String(functionKey(fn));
      expect(fn.attributes).toMatchObject({ runtime: 'nodejs24.x', handler: 'index.handler', filename: `terraform/../dist/${name}.zip` });
      expect(fn.attributes.source_code_hash).toBe(`«filebase64sha256(terraform/../dist/${name}.zip)»`);
      expect(block(fn, 'tracing_config').mode).toBe('Active');
      expect(fn.attributes.memory_size).toBeGreaterThanOrEqual(256);
      expect(fn.attributes.memory_size).toBeLessThanOrEqual(512);
    }
  });

  it('creates each function log group, with retention, before the function', async () => {
    // Prepare
    const stack = await exampleStack();
    const logGroups = byFunction(resourcesOfType(stack, 'aws_cloudwatch_log_group').filter((r) => functionKey(r)));

    // Act
    const functions = resourcesOfType(stack, 'aws_lambda_function');

    // Assess
    expect(logGroups.size).toBe(FUNCTIONS.length);
    for (const fn of functions) {
      const group = logGroups.get(String(functionKey(fn)));
      expect(group?.attributes.name).toBe(`/aws/lambda/${String(fn.attributes.function_name)}`);
      expect(group?.attributes.retention_in_days).toBe(365);
      expect(fn.dependsOn).toContain(`${String(group?.type)}.${String(group?.name)}`);
    }
  });

  it('gives every function the configuration contract, with the management endpoint built from the API id, Region and stage', async () => {
    // Act
    const functions = resourcesOfType(await exampleStack(), 'aws_lambda_function');

    // Assess
    for (const fn of functions) {
      const variables = block(fn, 'environment').variables as Record<string, string>;
      expect(Object.keys(variables)).toEqual(expect.arrayContaining(CONTRACT));
      expect(variables).toMatchObject({
        ENVIRONMENT: 'prod',
        POWERTOOLS_SERVICE_NAME: 'chatbot-websocket',
        POWERTOOLS_METRICS_NAMESPACE: 'ChatbotWebSocket',
        CONNECTIONS_TABLE: '«module.tables.aws_dynamodb_table.connections.name»',
        MESSAGES_TABLE: '«module.tables.aws_dynamodb_table.messages.name»',
        WS_MANAGEMENT_ENDPOINT: 'https://«module.api.aws_apigatewayv2_api.this.id».execute-api.«data.aws_region.current.region».amazonaws.com/prod',
        MAX_CONNECTIONS_PER_USER: '5',
        RATE_LIMIT_BURST: '10',
        RATE_LIMIT_PER_SECOND: '1',
        CONNECT_RATE_BURST: '10',
        CONNECT_RATE_PER_SECOND: '1',
        REFUSAL_LIMIT: '20',
        REFUSAL_WINDOW_SECONDS: '60',
        CONNECTION_IDLE_TIMEOUT_SECONDS: '600',
        MESSAGE_RETENTION_DAYS: '30',
      });
    }
  });

  it('gives the authorizer its key source and claims, never a secret value', async () => {
    // Prepare
    const stack = await exampleStack();

    // Act
    const authorizer = byFunction(resourcesOfType(stack, 'aws_lambda_function')).get('authorizer') as ResourceInstance;
    const variables = block(authorizer, 'environment').variables as Record<string, string>;

    // Assess
    expect(variables).toMatchObject({
      JWT_SECRET_PARAMETER: '/chatbot/prod/jwt-secret',
      JWT_ISSUER: 'https://auth.example.com/',
      JWT_AUDIENCE: 'chatbot',
      ALLOWED_ORIGINS: 'https://chat.example.com',
    });
    expect(variables).not.toHaveProperty('JWT_JWKS_URL');
    expect(Object.keys(variables).filter((key) => /SECRET$|PASSWORD|PRIVATE/.test(key))).toEqual([]);
  });
});
