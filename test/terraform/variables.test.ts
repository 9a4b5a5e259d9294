import { describe, expect, it } from '@jest/globals';
import { exampleStack, terraformConfiguration } from './support/fixture.ts';

/** Attribute names at the top of each `variable "x" { ... }` block, in source order. */
const attributeOrder = (text: string, name: string): string[] => {
  const start = text.indexOf(`variable "${name}" {`);
  const end = text.indexOf('\n}', start);
  return [...text.slice(start, end).matchAll(/^ {2}(description|type|default|validation|nullable|sensitive)\b/gm)].map((m) => m[1] as string);
};

describe('Terraform variables and outputs', () => {
  it('gives every variable a description and a type, never `any`', async () => {
    // Prepare
    const configuration = await terraformConfiguration();

    // Act
    const problems = [...configuration.modules.values()].flatMap((module) =>
      [...module.variables].flatMap(([name, block]) => {
        const where = `${module.dir} variable ${name}`;
        const found: string[] = [];
        if (typeof block.body.description !== 'string' || block.body.description.length < 10) found.push(`${where}: no description`);
        if (typeof block.body.type !== 'string') found.push(`${where}: no type`);
        else if (/\bany\b/.test(block.body.type)) found.push(`${where}: type uses any`);
        return found;
      }),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it('writes description, type and default first, in that order', async () => {
    // Prepare
    const configuration = await terraformConfiguration();

    // Act
    const misordered = [...configuration.modules.values()].flatMap((module) =>
      [...module.variables].flatMap(([name, block]) => {
        const order = attributeOrder(module.files[block.file]?.text ?? '', name).filter((a) => ['description', 'type', 'default'].includes(a));
        const expected = ['description', 'type', 'default'].filter((a) => order.includes(a));
        return JSON.stringify(order) === JSON.stringify(expected) && order[0] === 'description' ? [] : [`${module.dir} ${name}: ${order.join(',')}`];
      }),
    );

    // Assess
    expect(misordered).toEqual([]);
  });

  it('gives every output a description', async () => {
    // Prepare
    const configuration = await terraformConfiguration();

    // Act
    const undocumented = [...configuration.modules.values()].flatMap((module) =>
      [...module.outputs].filter(([, block]) => typeof block.body.description !== 'string' || block.body.description === '').map(([name]) => `${module.dir} ${name}`),
    );

    // Assess
    expect(undocumented).toEqual([]);
  });

  it('exposes the outputs the deployment guide relies on', async () => {
    // Prepare
    const configuration = await terraformConfiguration();

    // Act
    const outputs = [...(configuration.modules.get(configuration.rootDir)?.outputs.keys() ?? [])];

    // Assess
    expect(outputs).toEqual(
      expect.arrayContaining(['websocket_stage_url', 'management_endpoint', 'api_id', 'connections_table_name', 'messages_table_name', 'dashboard_name', 'alarm_topic_arn']),
    );
  });

  it('accepts terraform.tfvars.example in every validation of every module', async () => {
    // Act
    const stack = await exampleStack();

    // Assess
    expect(stack.validationFailures).toEqual([]);
  });

  it('accepts a JWKS-based authorizer instead of an SSM secret', async () => {
    // Act
    const stack = await exampleStack({ jwt_secret_parameter_name: '', jwt_jwks_url: 'https://issuer.example.com/.well-known/jwks.json' });

    // Assess
    expect(stack.validationFailures).toEqual([]);
  });

  it.each([
    ['memory below 256 MB', { lambda_memory_size: 128 }, 'lambda_memory_size'],
    ['memory above 512 MB', { lambda_memory_size: 1024 }, 'lambda_memory_size'],
    ['no key source for the authorizer', { jwt_secret_parameter_name: '' }, 'jwt_jwks_url'],
    ['two key sources for the authorizer', { jwt_jwks_url: 'https://issuer.example.com/jwks.json' }, 'jwt_jwks_url'],
    ['a log retention CloudWatch does not offer', { log_retention_days: 42 }, 'log_retention_days'],
    ['an Origin with a path', { allowed_origins: ['https://chat.example.com/app'] }, 'allowed_origins'],
  ])('refuses %s', async (_case, overrides, variable) => {
    // Act
    const stack = await exampleStack(overrides);

    // Assess
    expect(stack.validationFailures.map((failure) => failure.variable)).toContain(variable);
  });
});
