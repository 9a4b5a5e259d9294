import { describe, expect, it } from '@jest/globals';
import { exampleStack, terraformConfiguration } from './support/fixture.ts';

describe('Terraform conventions', () => {
  it('names a resource `this` when it is the only one of its type in its module and has no for_each', async () => {
    // Prepare
    const configuration = await terraformConfiguration();

    // Act
    const misnamed = [...configuration.modules.values()].flatMap((module) => {
      const blocks = [...module.resources.values()];
      return blocks
        .filter((b) => b.body.for_each === undefined && blocks.filter((other) => other.type === b.type).length === 1 && b.name !== 'this')
        .map((b) => `${module.dir}: ${b.type}.${b.name}`);
    });

    // Assess
    expect(misnamed).toEqual([]);
  });

  it('tags every tagged resource with the one merged tags map', async () => {
    // Prepare
    const stack = await exampleStack();
    const expected = { Owner: 'chat-platform', CostCenter: '1234', Project: 'chatbot-websocket', Environment: 'prod' };

    // Act
    const tagged = stack.resources.filter((r) => r.attributes.tags !== undefined);

    // Assess
    expect(tagged.length).toBeGreaterThan(40);
    for (const resource of tagged) expect([resource.address, resource.attributes.tags]).toEqual([resource.address, expected]);
  });

  it('pins Terraform and the AWS provider 6.x', async () => {
    // Act
    const root = (await terraformConfiguration()).modules.get('terraform');
    const versions = root?.files['versions.tf']?.json.terraform as Array<{ required_providers: Array<{ aws: { version: string; source: string } }> }>;

    // Assess
    expect(versions[0]?.required_providers[0]?.aws).toEqual({ source: 'hashicorp/aws', version: '~> 6.0' });
  });

  it('outputs the wss:// stage URL and the https:// management endpoint', async () => {
    // Act
    const { outputs } = await exampleStack();

    // Assess
    expect(outputs.websocket_stage_url).toBe('«module.api.aws_apigatewayv2_stage.this.invoke_url»');
    expect(outputs.management_endpoint).toBe('https://«module.api.aws_apigatewayv2_api.this.id».execute-api.«data.aws_region.current.region».amazonaws.com/prod');
    expect(outputs.connections_table_name).toBe('«module.tables.aws_dynamodb_table.connections.name»');
  });
});
