import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import './go-timers.ts';
import { parse } from '@cdktf/hcl2json';

/**
 * A Terraform configuration read with a real HCL parser (`@cdktf/hcl2json`): every module directory
 * reachable from the root through local `source` paths, each with its blocks by kind.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = Record<string, Json>;

interface Block {
  file: string;
  body: Body;
}

interface NamedBlock extends Block {
  type: string;
  name: string;
}

interface ModuleConfig {
  dir: string;
  variables: Map<string, Block>;
  locals: Map<string, { file: string; expression: Json }>;
  outputs: Map<string, Block>;
  resources: Map<string, NamedBlock>;
  data: Map<string, NamedBlock>;
  modules: Map<string, Block>;
}

interface Configuration {
  rootDir: string;
  modules: Map<string, ModuleConfig>;
}

/** Sources by module directory, then by file name (what a test builds in memory). */
type Sources = Record<string, Record<string, string>>;

const asBody = (value: Json | undefined): Body => {
  const first = Array.isArray(value) ? value[0] : value;
  if (!first || typeof first !== 'object' || Array.isArray(first)) return {};
  return first;
};

const entries = (value: Json | undefined): Array<[string, Json]> => (value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : []);

const addUnique = <T>(map: Map<string, T>, key: string, value: T, what: string, dir: string): void => {
  if (map.has(key)) throw new Error(`${dir}: duplicate ${what} "${key}"`);
  map.set(key, value);
};

const parseModule = async (dir: string, files: Record<string, string>): Promise<ModuleConfig> => {
  const config: ModuleConfig = {
    dir,
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    resources: new Map(),
    data: new Map(),
    modules: new Map(),
  };
  for (const [file, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const json = (await parse(file, text)) as Body;
    for (const [name, value] of entries(json.variable)) addUnique(config.variables, name, { file, body: asBody(value) }, 'variable', dir);
    for (const [name, value] of entries(json.output)) addUnique(config.outputs, name, { file, body: asBody(value) }, 'output', dir);
    for (const [name, value] of entries(json.module)) addUnique(config.modules, name, { file, body: asBody(value) }, 'module', dir);
    for (const localsBlock of Array.isArray(json.locals) ? json.locals : []) {
      for (const [name, expression] of entries(localsBlock)) addUnique(config.locals, name, { file, expression }, 'local', dir);
    }
    for (const [kind, target] of [
      ['resource', config.resources],
      ['data', config.data],
    ] as const) {
      for (const [type, byName] of entries(json[kind])) {
        for (const [name, value] of entries(byName)) {
          addUnique(target, `${type}.${name}`, { file, type, name, body: asBody(value) }, kind, dir);
        }
      }
    }
  }
  return config;
};

const localSource = (module: Block): string | undefined => {
  const source = module.body.source;
  return typeof source === 'string' && (source.startsWith('./') || source.startsWith('../')) ? source : undefined;
};

/** Resolves a module call's `source` against the calling module's directory. */
const childDir = (parentDir: string, module: Block): string => {
  const source = localSource(module);
  if (!source) throw new Error(`${parentDir}: module source ${String(module.body.source)} is not a local path`);
  return posix.normalize(posix.join(parentDir, source));
};

const buildConfiguration = async (rootDir: string, sources: Sources): Promise<Configuration> => {
  const modules = new Map<string, ModuleConfig>();
  const pending = [rootDir];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    if (modules.has(dir)) continue;
    const files = sources[dir];
    if (!files) throw new Error(`module directory ${dir} has no .tf files`);
    const config = await parseModule(dir, files);
    modules.set(dir, config);
    for (const module of config.modules.values()) if (localSource(module)) pending.push(childDir(dir, module));
  }
  return { rootDir, modules };
};

const readTfFiles = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith('.tf'))
      .map((file) => [file, readFileSync(join(dir, file), 'utf8')]),
  );

/** Reads every module reachable from `rootDir` on disk (paths relative to the process cwd). */
const loadConfiguration = async (rootDir: string): Promise<Configuration> => {
  const sources: Sources = {};
  const pending = [posix.normalize(rootDir)];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    if (sources[dir]) continue;
    sources[dir] = readTfFiles(dir);
    const parsed = await parseModule(dir, sources[dir]);
    for (const module of parsed.modules.values()) if (localSource(module)) pending.push(childDir(dir, module));
  }
  return buildConfiguration(posix.normalize(rootDir), sources);
};

/** Parses a `.tfvars` file (HCL attributes only) into plain values. */
const parseTfvars = async (file: string): Promise<Record<string, Json>> => {
  const json = (await parse(file, readFileSync(file, 'utf8'))) as Body;
  for (const [name, value] of Object.entries(json)) {
    if (JSON.stringify(value).includes('${')) throw new Error(`${file}: ${name} must be a literal`);
  }
  return json;
};

const moduleOf = (configuration: Configuration, dir: string): ModuleConfig => {
  const module = configuration.modules.get(dir);
  if (!module) throw new Error(`no module at ${dir}`);
  return module;
};

export type { Block, Body, Configuration, Json, ModuleConfig, NamedBlock, Sources };
export { asBody, buildConfiguration, childDir, loadConfiguration, moduleOf, parseTfvars };
