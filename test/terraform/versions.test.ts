import { readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from '@jest/globals';
import './support/go-timers.ts';
import { admits } from './support/version-constraint.ts';

/**
 * The AWS provider constraint of the root module. `terraform test` runs here against a mirrored
 * provider with this constraint rewritten, so Terraform cannot check it: nodejs24.x is accepted from
 * 6.19.0, and 7.x may change the schema.
 */
const rootConstraint = async (): Promise<string> => {
  const json = (await parse('versions.tf', readFileSync('terraform/versions.tf', 'utf8'))) as {
    terraform: Array<{ required_providers: Array<{ aws: { source: string; version: string } }> }>;
  };
  const aws = json.terraform[0]?.required_providers[0]?.aws;
  if (aws?.source !== 'hashicorp/aws') throw new Error('terraform/versions.tf requires no hashicorp/aws provider');
  return aws.version;
};

describe('Terraform AWS provider constraint', () => {
  it('admits 6.19.0 and later 6.x releases, and nothing older or 7.x', async () => {
    // Prepare
    const constraint = await rootConstraint();

    // Act
    const verdicts = Object.fromEntries(['5.100.0', '6.0.0', '6.18.1', '6.19.0', '6.40.2', '7.0.0'].map((v) => [v, admits(constraint, v)]));

    // Assess
    expect(verdicts).toEqual({ '5.100.0': false, '6.0.0': false, '6.18.1': false, '6.19.0': true, '6.40.2': true, '7.0.0': false });
  });

  it('reads constraints as Terraform does (self-check)', () => {
    // Act
    const verdicts = [admits('~> 6.0', '6.18.1'), admits('~> 6.0', '7.0.0'), admits('~> 6.19.0', '6.20.0'), admits('>= 6.19, < 7', '6.19.0'), admits('!= 6.19.0', '6.19.0')];

    // Assess
    expect(verdicts).toEqual([true, false, false, true, false]);
  });
});
