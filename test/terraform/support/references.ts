import './go-timers.ts';
import { getReferencesInExpression } from '@cdktf/hcl2json';
import { type Body, type Configuration, type Json, type ModuleConfig, childDir, moduleOf } from './hcl-config.ts';
import { isExpression } from './expressions.ts';

/**
 * Every reference in every expression of every module, checked against what the module declares:
 * var., local., module.<name>.<output>, data.<type>.<name>, <type>.<name>, each./count. only where
 * for_each/count is set, dynamic iterators only inside their block; and every module call passes
 * only declared variables and all the required ones.
 */
interface Finding {
  module: string;
  location: string;
  reference: string;
  problem: string;
}

interface Context {
  module: ModuleConfig;
  configuration: Configuration;
  location: string;
  each: boolean;
  count: boolean;
  iterators: ReadonlySet<string>;
}

const META_ITERATION = ['for_each', 'count'];

const splitReference = (reference: string): string[] => reference.match(/"(?:[^"\\]|\\.)*"|[^.]+/g) ?? [];

const isInstanceKey = (segment: string | undefined): boolean => segment !== undefined && (/^".*"$/.test(segment) || /^\d+$/.test(segment));

const problemWith = (parts: string[], context: Context): string | undefined => {
  const [head, second, third, fourth] = parts;
  const { module } = context;
  if (head === undefined || second === undefined) return head === 'self' ? undefined : 'incomplete reference';
  if (context.iterators.has(head)) return undefined;
  switch (head) {
    case 'var':
      return module.variables.has(second) ? undefined : `variable ${second} is not declared`;
    case 'local':
      return module.locals.has(second) ? undefined : `local ${second} is not declared`;
    case 'module': {
      const call = module.modules.get(second);
      if (!call) return `module ${second} is not declared`;
      const output = isInstanceKey(third) ? fourth : third;
      if (output === undefined) return undefined;
      const child = moduleOf(context.configuration, childDir(module.dir, call));
      return child.outputs.has(output) ? undefined : `module ${second} has no output ${output}`;
    }
    case 'data':
      return module.data.has(`${second}.${String(third)}`) ? undefined : `data source ${second}.${String(third)} is not declared`;
    case 'each':
      return context.each ? undefined : 'each used where for_each is not set';
    case 'count':
      return context.count ? undefined : 'count used where count is not set';
    case 'path':
      return ['module', 'root', 'cwd'].includes(second) ? undefined : `path.${second} does not exist`;
    case 'terraform':
    case 'self':
      return undefined;
    default:
      return module.resources.has(`${head}.${second}`) ? undefined : `resource ${head}.${second} is not declared`;
  }
};

const checkString = async (text: string, context: Context, findings: Finding[]): Promise<void> => {
  if (!isExpression(text)) return;
  for (const { value } of await getReferencesInExpression(`${context.module.dir}/${context.location}`, text)) {
    const problem = problemWith(splitReference(value), context);
    if (problem) findings.push({ module: context.module.dir, location: context.location, reference: value, problem });
  }
};

const checkValue = async (value: Json | undefined, context: Context, findings: Finding[]): Promise<void> => {
  if (typeof value === 'string') await checkString(value, context, findings);
  else if (Array.isArray(value)) for (const item of value) await checkValue(item, context, findings);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'dynamic') await checkDynamic(inner, context, findings);
      else await checkValue(inner, context, findings);
    }
  }
};

const checkDynamic = async (value: Json, context: Context, findings: Finding[]): Promise<void> => {
  for (const [blockName, definitions] of Object.entries(value && typeof value === 'object' && !Array.isArray(value) ? value : {})) {
    for (const definition of Array.isArray(definitions) ? definitions : []) {
      if (!definition || typeof definition !== 'object' || Array.isArray(definition)) continue;
      await checkValue(definition.for_each, context, findings);
      const iterator = typeof definition.iterator === 'string' ? definition.iterator : blockName;
      const inner = { ...context, iterators: new Set([...context.iterators, iterator]) };
      await checkValue(definition.content, inner, findings);
    }
  }
};

const blockContext = (base: Omit<Context, 'location' | 'each' | 'count'>, location: string, body: Body): Context => ({
  ...base,
  location,
  each: body.for_each !== undefined,
  count: body.count !== undefined,
});

const checkModuleArguments = (module: ModuleConfig, configuration: Configuration, name: string, body: Body, findings: Finding[]): void => {
  const child = moduleOf(configuration, childDir(module.dir, { file: '', body }));
  const meta = new Set(['source', 'version', 'providers', 'depends_on', ...META_ITERATION]);
  const passed = Object.keys(body).filter((argument) => !meta.has(argument));
  for (const argument of passed) {
    if (!child.variables.has(argument)) {
      findings.push({ module: module.dir, location: `module.${name}`, reference: argument, problem: `module ${name} declares no variable ${argument}` });
    }
  }
  for (const [variable, block] of child.variables) {
    if (block.body.default === undefined && !passed.includes(variable)) {
      findings.push({ module: module.dir, location: `module.${name}`, reference: variable, problem: `required variable ${variable} of module ${name} is not passed` });
    }
  }
};

const unresolvedReferences = async (configuration: Configuration): Promise<Finding[]> => {
  const findings: Finding[] = [];
  for (const module of configuration.modules.values()) {
    const base = { module, configuration, iterators: new Set<string>() };
    for (const [name, block] of module.variables) {
      if (block.body.default !== undefined) await checkValue(block.body.default, { ...base, location: `variable.${name}.default`, each: false, count: false }, findings);
      await checkValue(block.body.validation, { ...base, location: `variable.${name}.validation`, each: false, count: false }, findings);
    }
    for (const [name, local] of module.locals) {
      await checkValue(local.expression, { ...base, location: `local.${name}`, each: false, count: false }, findings);
    }
    for (const [name, block] of module.outputs) await checkValue(block.body, { ...base, location: `output.${name}`, each: false, count: false }, findings);
    for (const [name, block] of module.modules) {
      await checkValue(block.body, blockContext(base, `module.${name}`, block.body), findings);
      checkModuleArguments(module, configuration, name, block.body, findings);
    }
    for (const [address, block] of module.resources) await checkValue(block.body, blockContext(base, address, block.body), findings);
    for (const [address, block] of module.data) await checkValue(block.body, blockContext(base, `data.${address}`, block.body), findings);
  }
  return findings;
};

export type { Finding };
export { unresolvedReferences };
