import { describe, expect, it } from '@jest/globals';
import { buildConfiguration } from './support/hcl-config.ts';
import { terraformConfiguration } from './support/fixture.ts';
import { unresolvedReferences } from './support/references.ts';

const BROKEN_ROOT = `
variable "env" {
  description = "Environment."
  type        = string
}

locals {
  prefix = "\${var.env}-\${var.missing}"
}

module "child" {
  source  = "./child"
  name    = local.prefix
  unknown = local.nope
}

resource "aws_sns_topic" "this" {
  name = "\${module.child.id}-\${module.child.nope}-\${each.key}"
}

output "topic" {
  description = "Topic."
  value       = "\${aws_sns_topic.missing.arn} \${data.aws_region.current.region}"
}
`;

const CHILD = `
variable "name" {
  description = "Name."
  type        = string
}

variable "required" {
  description = "Required."
  type        = string
}

output "id" {
  description = "Id."
  value       = var.name
}
`;

describe('Terraform references', () => {
  it('resolves every var., local., module., data. and resource reference, and every module argument, in terraform/', async () => {
    // Prepare
    const configuration = await terraformConfiguration();

    // Act
    const findings = await unresolvedReferences(configuration);

    // Assess
    expect(configuration.modules.size).toBe(5);
    expect(findings).toEqual([]);
  });

  it('reports each kind of broken reference in a deliberately broken configuration', async () => {
    // Prepare
    const configuration = await buildConfiguration('broken', { broken: { 'main.tf': BROKEN_ROOT }, 'broken/child': { 'main.tf': CHILD } });

    // Act
    const problems = (await unresolvedReferences(configuration)).map((finding) => finding.problem).sort();

    // Assess
    expect(problems).toEqual(
      [
        'data source aws_region.current is not declared',
        'each used where for_each is not set',
        'local nope is not declared',
        'module child declares no variable unknown',
        'module child has no output nope',
        'required variable required of module child is not passed',
        'resource aws_sns_topic.missing is not declared',
        'variable missing is not declared',
      ].sort(),
    );
  });
});
