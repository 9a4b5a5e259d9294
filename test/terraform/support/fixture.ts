import type { Json } from './hcl-config.ts';
import { type Configuration, loadConfiguration, parseTfvars } from './hcl-config.ts';
import { expandStack, type ResourceInstance, type Stack } from './stack.ts';
import { isObject, type Value } from './values.ts';

/** The repository's Terraform, parsed once per test file, and stacks evaluated for tfvars variants. */
const TERRAFORM_DIR = 'terraform';
const EXAMPLE_TFVARS = `${TERRAFORM_DIR}/terraform.tfvars.example`;

let configuration: Promise<Configuration> | undefined;
const stacks = new Map<string, Promise<Stack>>();

const terraformConfiguration = (): Promise<Configuration> => (configuration ??= loadConfiguration(TERRAFORM_DIR));

const exampleVariables = (): Promise<Record<string, Json>> => parseTfvars(EXAMPLE_TFVARS);

/** The stack for terraform.tfvars.example with `overrides` applied. */
const exampleStack = (overrides: Record<string, Json> = {}): Promise<Stack> => {
  const key = JSON.stringify(overrides);
  let stack = stacks.get(key);
  if (!stack) {
    stack = (async () => expandStack(await terraformConfiguration(), { ...(await exampleVariables()), ...overrides }))();
    stacks.set(key, stack);
  }
  return stack;
};

const resourcesOfType = (stack: Stack, type: string): ResourceInstance[] => stack.resources.filter((r) => r.type === type);

const single = (stack: Stack, address: string): ResourceInstance => {
  const found = stack.resources.filter((r) => r.address === address);
  if (found.length !== 1) throw new Error(`expected one ${address}, found ${found.length}`);
  return found[0] as ResourceInstance;
};

/** A nested block's first (only) occurrence, e.g. `block(fn, 'environment')`. */
const block = (resource: ResourceInstance, name: string): Record<string, Value> => {
  const value = resource.attributes[name];
  const first = Array.isArray(value) ? value[0] : undefined;
  if (first === undefined || !isObject(first)) throw new Error(`${resource.address} has no ${name} block`);
  return first;
};

/** Handler name of a resource inside module.functions["<name>"]. */
const functionKey = (resource: ResourceInstance): string | undefined => /^module\.functions\["([^"]+)"\]$/.exec(resource.module)?.[1];

export { block, EXAMPLE_TFVARS, exampleStack, exampleVariables, functionKey, resourcesOfType, single, TERRAFORM_DIR, terraformConfiguration };
