import { describe, expect, it } from '@jest/globals';
import { getReferencesInExpression } from '@cdktf/hcl2json';
import { FUNCTIONS } from '../../src/config/function-manifest.ts';
import { block, exampleStack, functionKey, resourcesOfType, single } from './support/fixture.ts';
import { isObject } from './support/values.ts';

const API = 'module.api';
const EXECUTION_ARN = '«module.api.aws_apigatewayv2_api.this.execution_arn»';
const invokeArn = (name: string) => `«module.functions["${name}"].aws_lambda_function.this.invoke_arn»`;
const ROUTES = FUNCTIONS.filter((f) => f.route !== 'authorizer');

describe('Terraform WebSocket API', () => {
  it('is a WEBSOCKET API routing on $request.body.action', async () => {
    // Act
    const api = single(await exampleStack(), `${API}.aws_apigatewayv2_api.this`);

    // Assess
    expect(api.attributes).toMatchObject({ name: 'prod-websocket', protocol_type: 'WEBSOCKET', route_selection_expression: '$request.body.action' });
  });

  it('has one AWS_PROXY route per manifest route, to that route function, with the authorizer on $connect only', async () => {
    // Prepare
    const stack = await exampleStack();

    // Act
    const routes = resourcesOfType(stack, 'aws_apigatewayv2_route');
    const integrations = new Map(resourcesOfType(stack, 'aws_apigatewayv2_integration').map((i) => [i.key, i]));

    // Assess
    expect(routes.map((r) => r.attributes.route_key).sort()).toEqual(ROUTES.map((f) => f.route).sort());
    for (const spec of ROUTES) {
      const route = routes.find((r) => r.attributes.route_key === spec.route);
      const integration = integrations.get(spec.route);
      expect(integration?.attributes).toMatchObject({ integration_type: 'AWS_PROXY', integration_uri: invokeArn(spec.name) });
      expect(route?.attributes.target).toBe(`integrations/«module.api.aws_apigatewayv2_integration.this[${JSON.stringify(spec.route)}].id»`);
      const guarded = spec.route === '$connect';
      expect(route?.attributes.authorization_type).toBe(guarded ? 'CUSTOM' : 'NONE');
      expect(route?.attributes.authorizer_id ?? null).toBe(guarded ? '«module.api.aws_apigatewayv2_authorizer.this.id»' : null);
    }
  });

  it('authorizes $connect with a REQUEST authorizer reading the token query parameter', async () => {
    // Act
    const authorizer = single(await exampleStack(), `${API}.aws_apigatewayv2_authorizer.this`);

    // Assess
    expect(authorizer.attributes).toMatchObject({
      authorizer_type: 'REQUEST',
      authorizer_uri: invokeArn('authorizer'),
      identity_sources: ['route.request.querystring.token'],
    });
  });

  it('redeploys when routes, integrations or the authorizer change, creating the new deployment first', async () => {
    // Prepare
    const deployment = single(await exampleStack(), `${API}.aws_apigatewayv2_deployment.this`);
    const triggers = deployment.block.body.triggers as Record<string, string>;

    // Act
    const references = (await Promise.all(Object.values(triggers).map((t) => getReferencesInExpression('main.tf', t)))).flat().map((r) => r.value);

    // Assess
    expect(references.sort()).toEqual(['aws_apigatewayv2_authorizer.this', 'aws_apigatewayv2_integration.this', 'aws_apigatewayv2_route.this']);
    expect(deployment.lifecycle.create_before_destroy).toBe(true);
    expect(single(await exampleStack(), `${API}.aws_apigatewayv2_stage.this`).attributes.deployment_id).toBe('«module.api.aws_apigatewayv2_deployment.this.id»');
  });

  it('logs access as JSON to /aws/apigateway/{env}-websocket without the query string or the token', async () => {
    // Prepare
    const stack = await exampleStack();
    const stage = single(stack, `${API}.aws_apigatewayv2_stage.this`);
    const logGroup = single(stack, `${API}.aws_cloudwatch_log_group.this`);

    // Act
    const settings = block(stage, 'access_log_settings');
    const format = JSON.parse(String(settings.format)) as Record<string, string>;

    // Assess
    expect(logGroup.attributes).toMatchObject({ name: '/aws/apigateway/prod-websocket', retention_in_days: 365 });
    expect(settings.destination_arn).toBe('«module.api.aws_cloudwatch_log_group.this.arn»');
    expect(Object.values(format).every((v) => v.startsWith('$context.'))).toBe(true);
    expect(String(settings.format)).not.toMatch(/querystring|token|\$request|requestOverride|\$input|body/i);
  });

  it('throttles the stage from the variables and logs execution without data trace', async () => {
    // Act
    const stage = single(await exampleStack(), `${API}.aws_apigatewayv2_stage.this`);
    const routeSettings = [block(stage, 'default_route_settings'), ...(Array.isArray(stage.attributes.route_settings) ? stage.attributes.route_settings : [])];

    // Assess
    expect(stage.attributes.name).toBe('prod');
    expect(block(stage, 'default_route_settings')).toMatchObject({ throttling_burst_limit: 500, throttling_rate_limit: 100, logging_level: 'ERROR' });
    for (const settings of routeSettings) expect(isObject(settings) && settings.data_trace_enabled).toBe(false);
  });

  it('scopes every Lambda invoke permission to this API: routes by /*, the authorizer by its id', async () => {
    // Act
    const permissions = resourcesOfType(await exampleStack(), 'aws_lambda_permission');

    // Assess
    expect(permissions.map((p) => functionKey(p)).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    for (const permission of permissions) {
      const name = String(functionKey(permission));
      expect(permission.attributes).toMatchObject({ action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com' });
      expect(permission.attributes.source_arn).toBe(
        name === 'authorizer' ? `${EXECUTION_ARN}/authorizers/«module.api.aws_apigatewayv2_authorizer.this.id»` : `${EXECUTION_ARN}/*`,
      );
    }
  });

  it('sets the account CloudWatch role only when asked to', async () => {
    // Act
    const managed = resourcesOfType(await exampleStack(), 'aws_api_gateway_account');
    const unmanaged = resourcesOfType(await exampleStack({ manage_api_gateway_account: false }), 'aws_api_gateway_account');

    // Assess
    expect(managed).toHaveLength(1);
    expect(unmanaged).toEqual([]);
  });
});
