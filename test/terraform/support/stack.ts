import { evaluateJson, iterate, type Resolver, type Scope } from './expressions.ts';
import { asBody, type Body, type Configuration, childDir, type Json, type ModuleConfig, moduleOf } from './hcl-config.ts';
import { describe, isUnknown, Lazy, unknown, type Value } from './values.ts';

/**
 * A static "plan": every module instance and resource instance of a configuration, with every
 * argument evaluated for a given set of root variables. What only apply knows stays a placeholder
 * (`«module.api.aws_apigatewayv2_api.this.execution_arn»`), which is exactly what the checks compare.
 */
interface ResourceInstance {
  /** '' for the root module, else e.g. `module.functions["message"]`. */
  module: string;
  moduleDir: string;
  type: string;
  name: string;
  key: string | number | undefined;
  address: string;
  attributes: Record<string, Value>;
}

interface Stack {
  configuration: Configuration;
  root: ModuleInstance;
  resources: ResourceInstance[];
  outputs: Record<string, Value>;
}

const MODULE_META = new Set(['source', 'version', 'providers', 'depends_on', 'for_each', 'count']);
const RESOURCE_META = new Set(['for_each', 'count', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);

const isBlockList = (value: Json): value is Body[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item));

const withBindings = (scope: Scope, extra: Record<string, Value>): Scope => ({
  ...scope,
  bindings: new Map([...scope.bindings, ...Object.entries(extra)]),
});

/** Evaluates a block body: attributes, nested blocks and `dynamic` blocks expanded. */
const evaluateBody = async (body: Body, scope: Scope): Promise<Record<string, Value>> => {
  const result: Record<string, Value> = {};
  for (const [key, value] of Object.entries(body)) {
    if (RESOURCE_META.has(key)) continue;
    if (key === 'dynamic') {
      for (const [blockName, definitions] of Object.entries(asObject(value))) {
        for (const definition of asList(definitions)) {
          const iterator = typeof definition.iterator === 'string' ? definition.iterator : blockName;
          const items = await iterate(await evaluateJson(definition.for_each, scope), `dynamic ${blockName}`);
          for (const [itemKey, itemValue] of items) {
            const inner = withBindings(scope, { [iterator]: { key: itemKey, value: itemValue } });
            const expanded = await evaluateBody(asBody(definition.content as Json), inner);
            result[blockName] = [...((result[blockName] as Value[] | undefined) ?? []), expanded];
          }
        }
      }
      continue;
    }
    result[key] = isBlockList(value) ? await Promise.all(value.map((b) => evaluateBody(b, scope))) : await evaluateJson(value, scope);
  }
  return result;
};

const asObject = (value: Json): Record<string, Json> => (value && typeof value === 'object' && !Array.isArray(value) ? value : {});

const asList = (value: Json): Body[] => (isBlockList(value) ? value : []);

/** Instance keys of a block with `for_each` or `count`, with the bindings each instance sees. */
const expandInstances = async (body: Body, scope: Scope): Promise<Array<{ key: string | number | undefined; bindings: Record<string, Value> }>> => {
  if (body.for_each !== undefined) {
    const collection = await evaluateJson(body.for_each, scope);
    if (isUnknown(collection)) throw new Error(`for_each ${String(body.for_each)} is only known after apply`);
    const items = Array.isArray(collection) ? collection.map((v): [Value, Value] => [v, v]) : await iterate(collection, `for_each ${String(body.for_each)}`);
    return items.map(([key, value]) => {
      if (typeof key !== 'string') throw new Error(`for_each keys must be strings, got ${describe(key)}`);
      return { key, bindings: { each: { key, value } } };
    });
  }
  if (body.count !== undefined) {
    const count = await evaluateJson(body.count, scope);
    if (typeof count !== 'number') throw new Error(`count ${String(body.count)} is not a known number`);
    return Array.from({ length: count }, (_, i) => ({ key: i, bindings: { count: { index: i } } }));
  }
  return [{ key: undefined, bindings: {} }];
};

const keySuffix = (key: string | number | undefined): string => (key === undefined ? '' : typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`);

class ModuleInstance implements Resolver {
  private readonly variables = new Map<string, Promise<Value>>();
  private readonly locals = new Map<string, Promise<Value>>();
  private readonly children = new Map<string, Promise<Map<string | number | undefined, ModuleInstance>>>();
  public readonly scope: Scope;
  public readonly configuration: Configuration;
  public readonly config: ModuleConfig;
  public readonly address: string;
  private readonly inputs: ReadonlyMap<string, () => Promise<Value>>;

  public constructor(configuration: Configuration, config: ModuleConfig, address: string, inputs: ReadonlyMap<string, () => Promise<Value>>) {
    this.configuration = configuration;
    this.config = config;
    this.address = address;
    this.inputs = inputs;
    this.scope = { resolver: this, bindings: new Map() };
    const declared = new Set(config.variables.keys());
    for (const name of inputs.keys()) {
      if (!declared.has(name)) throw new Error(`${this.label}: argument ${name} is not a declared variable`);
    }
    for (const [name, block] of config.variables) {
      if (!inputs.has(name) && block.body.default === undefined) throw new Error(`${this.label}: required variable ${name} is not set`);
    }
  }

  public get label(): string {
    return this.address || 'root module';
  }

  private get prefix(): string {
    return this.address ? `${this.address}.` : '';
  }

  public variable(name: string): Promise<Value> {
    let value = this.variables.get(name);
    if (!value) {
      const block = this.config.variables.get(name);
      if (!block) return Promise.reject(new Error(`${this.label}: undeclared variable var.${name}`));
      const input = this.inputs.get(name);
      value = input ? input() : evaluateJson(block.body.default ?? null, this.scope);
      this.variables.set(name, value);
    }
    return value;
  }

  public local(name: string): Promise<Value> {
    let value = this.locals.get(name);
    if (!value) {
      const local = this.config.locals.get(name);
      if (!local) return Promise.reject(new Error(`${this.label}: undeclared local.${name}`));
      value = evaluateJson(local.expression, this.scope);
      this.locals.set(name, value);
    }
    return value;
  }

  public async output(name: string): Promise<Value> {
    const block = this.config.outputs.get(name);
    if (!block) throw new Error(`${this.label}: module has no output ${name}`);
    return evaluateJson(block.body.value ?? null, this.scope);
  }

  /** Instances of a module call, by for_each key / count index (undefined for a single instance). */
  public moduleInstances(name: string): Promise<Map<string | number | undefined, ModuleInstance>> {
    let instances = this.children.get(name);
    if (!instances) {
      instances = this.expandModule(name);
      this.children.set(name, instances);
    }
    return instances;
  }

  private async expandModule(name: string): Promise<Map<string | number | undefined, ModuleInstance>> {
    const block = this.config.modules.get(name);
    if (!block) throw new Error(`${this.label}: undeclared module.${name}`);
    const childConfig = moduleOf(this.configuration, childDir(this.config.dir, block));
    const instances = new Map<string | number | undefined, ModuleInstance>();
    for (const { key, bindings } of await expandInstances(block.body, this.scope)) {
      const scope = withBindings(this.scope, bindings);
      const inputs = new Map<string, () => Promise<Value>>();
      for (const [argument, expression] of Object.entries(block.body)) {
        if (MODULE_META.has(argument)) continue;
        let cached: Promise<Value> | undefined;
        inputs.set(argument, () => (cached ??= evaluateJson(expression, scope)));
      }
      instances.set(key, new ModuleInstance(this.configuration, childConfig, `${this.prefix}module.${name}${keySuffix(key)}`, inputs));
    }
    return instances;
  }

  private outputsOf(instance: ModuleInstance): Lazy {
    return new Lazy(
      instance.label,
      (output) => instance.output(output),
      async () => [...instance.config.outputs.keys()].sort(),
    );
  }

  private async moduleValue(name: string): Promise<Value> {
    const block = this.config.modules.get(name);
    if (!block) throw new Error(`${this.label}: undeclared module.${name}`);
    const instances = await this.moduleInstances(name);
    if (block.body.for_each === undefined && block.body.count === undefined) {
      return this.outputsOf(instances.get(undefined) as ModuleInstance);
    }
    return new Lazy(
      `${this.prefix}module.${name}`,
      async (key) => {
        const instance = instances.get(block.body.count !== undefined ? Number(key) : key);
        if (!instance) throw new Error(`${this.prefix}module.${name} has no instance ${key}`);
        return this.outputsOf(instance);
      },
      async () => [...instances.keys()].map(String),
    );
  }

  public async root(name: string, rest: Array<{ segment: string }>): Promise<{ value: Value; consumed: number }> {
    const next = rest[0]?.segment;
    switch (name) {
      case 'var':
        return { value: await this.variable(String(next)), consumed: 1 };
      case 'local':
        return { value: await this.local(String(next)), consumed: 1 };
      case 'module':
        return { value: await this.moduleValue(String(next)), consumed: 1 };
      case 'path': {
        const paths: Record<string, string> = { module: this.config.dir, root: this.configuration.rootDir, cwd: '.' };
        if (!next || !(next in paths)) throw new Error(`unknown path.${String(next)}`);
        return { value: paths[next] as string, consumed: 1 };
      }
      case 'terraform':
        return { value: 'default', consumed: 1 };
      case 'data': {
        const address = `${String(next)}.${String(rest[1]?.segment)}`;
        if (!this.config.data.has(address)) throw new Error(`${this.label}: undeclared data.${address}`);
        return { value: unknown(`${this.prefix}data.${address}`), consumed: 2 };
      }
      case 'each':
      case 'count':
      case 'self':
        throw new Error(`${this.label}: ${name}.${String(next)} used outside a block that defines it`);
      default: {
        const address = `${name}.${String(next)}`;
        if (!this.config.resources.has(address)) throw new Error(`${this.label}: undeclared resource ${address}`);
        return { value: unknown(`${this.prefix}${address}`), consumed: 1 };
      }
    }
  }

  /** Every resource instance of this module instance and of its children. */
  public async resources(): Promise<ResourceInstance[]> {
    const found: ResourceInstance[] = [];
    for (const block of this.config.resources.values()) {
      for (const { key, bindings } of await expandInstances(block.body, this.scope)) {
        const attributes = await evaluateBody(block.body, withBindings(this.scope, bindings));
        found.push({
          module: this.address,
          moduleDir: this.config.dir,
          type: block.type,
          name: block.name,
          key,
          address: `${this.prefix}${block.type}.${block.name}${keySuffix(key)}`,
          attributes,
        });
      }
    }
    for (const name of this.config.modules.keys()) {
      for (const child of (await this.moduleInstances(name)).values()) found.push(...(await child.resources()));
    }
    return found;
  }
}

/** Evaluates the whole configuration for the given root variable values (a parsed .tfvars). */
const expandStack = async (configuration: Configuration, variables: Record<string, Json>): Promise<Stack> => {
  const rootConfig = moduleOf(configuration, configuration.rootDir);
  const inputs = new Map(Object.entries(variables).map(([name, value]) => [name, async () => value as Value]));
  const root = new ModuleInstance(configuration, rootConfig, '', inputs);
  const outputs: Record<string, Value> = {};
  for (const name of rootConfig.outputs.keys()) outputs[name] = await root.output(name);
  return {
    configuration,
    root,
    resources: await root.resources(),
    outputs,
  };
};

export type { ResourceInstance, Stack };
export { expandStack, ModuleInstance };
