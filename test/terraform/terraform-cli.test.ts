import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type PreparedCopy, prepareCopy, TERRAFORM_DIR, terraform, terraformOk } from './support/terraform-cli.ts';

/**
 * Terraform checks terraform/ itself: formatting, validation against the provider's schema, and the
 * `terraform test` suite (terraform/tests/*.tftest.hcl), which plans the whole stack for each
 * documented configuration with a mocked AWS provider and asserts what matters in HCL.
 * Init runs once; every test file runs in one `terraform test`.
 */
let copy: PreparedCopy;

beforeAll(async () => {
  copy = await prepareCopy();
}, 180_000);

afterAll(async () => {
  await copy?.remove();
});

describe('terraform CLI on terraform/', () => {
  it('is formatted (terraform fmt -check -recursive)', async () => {
    // Act
    const { code, output } = await terraform(['fmt', '-check', '-recursive', '-diff'], TERRAFORM_DIR);

    // Assess
    expect({ code, unformatted: output }).toEqual({ code: 0, unformatted: expect.not.stringContaining('.tf') });
  });

  it('validates against the AWS provider schema (terraform validate)', async () => {
    // Act
    const output = await terraformOk(['validate'], copy.dir, copy.setup);

    // Assess
    expect(output).toContain('The configuration is valid.');
    // Loading the AWS provider's schema takes tens of seconds on a busy 2-core machine.
  }, 180_000);

  it('passes every run of the terraform test suite (terraform test)', async () => {
    // Act
    const output = await terraformOk(['test'], copy.dir, copy.setup);

    // Assess
    expect(output).toMatch(/Success! \d+ passed, 0 failed\./);
    expect(output).not.toMatch(/\.\.\. (fail|skip)/);
  }, 600_000);
});
