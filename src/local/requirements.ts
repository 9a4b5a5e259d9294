/**
 * What `npm start` and `npm test` need from the machine besides node_modules, checked before they
 * start so a missing tool is named with its install command instead of failing deep inside a test.
 * The decision (missingRequirements) is pure; inspectSystem() gathers the facts from PATH.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

type Purpose = 'start' | 'test';
type Tool = 'node' | 'java' | 'chromium' | 'terraform';

/** What was found on this machine; a tool is undefined when it was not found at all. */
interface SystemFacts {
  /** `process.versions.node`. */
  node: string;
  /** `java -version`'s output (it prints to stderr). */
  java?: string;
  /** The Chromium executable the browser tests would launch. */
  chromium?: string;
  /** `terraform version -json`'s output. */
  terraform?: string;
  /** CHROMIUM_PATH, when set: it must then name an executable. */
  chromiumOverride?: string;
}

interface Problem {
  tool: Tool;
  /** What is wrong, e.g. "java was not found on PATH". */
  problem: string;
  /** How to fix it. */
  fix: string;
}

const NEEDS: Record<Purpose, Tool[]> = {
  // DynamoDB Local is a Java program; `npm start` runs it unless DYNAMODB_ENDPOINT names another one.
  start: ['node', 'java'],
  test: ['node', 'java', 'chromium', 'terraform'],
};

/** node: package.json's engines field (a test keeps the two equal); java: DynamoDB Local's own minimum. */
const MINIMUM = { node: 22, java: 17, terraform: [1, 11] } as const;

const INSTALL: Record<Tool, string> = {
  node: `install Node.js ${MINIMUM.node} or newer, then run \`npm ci\` (npm scripts then run on the Node 24 it installs)`,
  java: `install a Java ${MINIMUM.java}+ runtime (Debian/Ubuntu: sudo apt-get install -y default-jre-headless)`,
  chromium: 'install Chromium (Debian/Ubuntu: sudo apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium or Chrome executable',
  terraform: `install Terraform ${MINIMUM.terraform.join('.')}+ from HashiCorp's packages (https://developer.hashicorp.com/terraform/install; see the README's Requirements)`,
};

/** Debian's Chromium, where the browser tests look first. */
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The Java feature version in `java -version`'s output: `"17.0.15"` → 17, `"1.8.0_292"` → 8. */
const javaMajor = (output: string): number | undefined => {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
};

/** `[major, minor]` from `terraform version -json` (or the plain `Terraform v1.11.4` text). */
const terraformVersion = (output: string): [number, number] | undefined => {
  const match = /"terraform_version"\s*:\s*"(\d+)\.(\d+)/.exec(output) ?? /Terraform v(\d+)\.(\d+)/.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
};

const problemWith = (tool: Tool, facts: SystemFacts): string | undefined => {
  switch (tool) {
    case 'node': {
      const major = Number(facts.node.split('.')[0]);
      return major >= MINIMUM.node ? undefined : `Node.js ${facts.node} is older than ${MINIMUM.node}`;
    }
    case 'java': {
      if (facts.java === undefined) return 'java was not found on PATH (DynamoDB Local runs on Java)';
      const major = javaMajor(facts.java);
      if (major === undefined) return `java -version printed no version: ${facts.java.trim().slice(0, 200)}`;
      return major >= MINIMUM.java ? undefined : `Java ${major} is older than ${MINIMUM.java} (DynamoDB Local needs ${MINIMUM.java}+)`;
    }
    case 'chromium':
      if (facts.chromiumOverride !== undefined && facts.chromium === undefined) {
        return `CHROMIUM_PATH=${facts.chromiumOverride} is not an executable file`;
      }
      return facts.chromium === undefined ? `Chromium was not found (${DEFAULT_CHROMIUM} or chromium on PATH; the browser tests need it)` : undefined;
    case 'terraform': {
      if (facts.terraform === undefined) return "terraform was not found on PATH (npm test runs Terraform's own checks)";
      const version = terraformVersion(facts.terraform);
      if (!version) return `terraform version printed no version: ${facts.terraform.trim().slice(0, 200)}`;
      const [major, minor] = version;
      const [needMajor, needMinor] = MINIMUM.terraform;
      const recentEnough = major > needMajor || (major === needMajor && minor >= needMinor);
      return recentEnough ? undefined : `Terraform ${major}.${minor} is older than ${needMajor}.${needMinor}`;
    }
  }
};

/**
 * The problems that stop `purpose`, in the order of NEEDS; empty when everything is there.
 * @example missingRequirements('start', { node: '24.1.0' }) // [{ tool: 'java', problem: 'java was not found…', fix: '…' }]
 */
const missingRequirements = (purpose: Purpose, facts: SystemFacts, options: { externalDynamoDb?: boolean } = {}): Problem[] =>
  NEEDS[purpose]
    // An external DynamoDB (DYNAMODB_ENDPOINT) spares `npm start` the Java it would otherwise launch.
    .filter((tool) => !(tool === 'java' && purpose === 'start' && options.externalDynamoDb))
    .flatMap((tool) => {
      const problem = problemWith(tool, facts);
      return problem === undefined ? [] : [{ tool, problem, fix: INSTALL[tool] }];
    });

const isExecutableFile = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** `command -v name` without a shell: the first executable file called `name` in `path`'s folders. */
const findOnPath = (name: string, path: string, isExecutable: (path: string) => boolean = isExecutableFile): string | undefined =>
  path
    .split(delimiter)
    .filter((folder) => folder !== '')
    .map((folder) => join(folder, name))
    .find(isExecutable);

/**
 * The Chromium the browser tests launch: CHROMIUM_PATH when set, else Debian's /usr/bin/chromium,
 * else `chromium` on PATH; undefined when there is none (or CHROMIUM_PATH is not executable).
 */
const chromiumExecutable = (env: NodeJS.ProcessEnv = process.env, isExecutable: (path: string) => boolean = isExecutableFile): string | undefined => {
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  if (isExecutable(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  return findOnPath('chromium', env.PATH ?? '', isExecutable);
};

/** Runs a tool found on PATH and returns what it printed (stdout then stderr), or undefined if it could not run. */
const outputOf = (command: string, args: string[], env: NodeJS.ProcessEnv): string | undefined => {
  // CHECKPOINT_DISABLE: `terraform version` would otherwise ask HashiCorp's server for a newer release.
  const result = spawnSync(command, args, { env: { ...env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8', timeout: 20_000 });
  if (result.error) return undefined;
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
};

/** Looks up the tools `purpose` needs on this machine (only those: `npm start` never runs terraform). */
const inspectSystem = (purpose: Purpose, env: NodeJS.ProcessEnv = process.env, nodeVersion: string = process.versions.node): SystemFacts => {
  const needs = NEEDS[purpose];
  const path = env.PATH ?? '';
  const run = (tool: 'java' | 'terraform', args: string[]): string | undefined => {
    const executable = needs.includes(tool) ? findOnPath(tool, path) : undefined;
    return executable === undefined ? undefined : outputOf(executable, args, env);
  };
  const java = run('java', ['-version']);
  const terraform = run('terraform', ['version', '-json']);
  const chromium = needs.includes('chromium') ? chromiumExecutable(env) : undefined;
  return {
    node: nodeVersion,
    ...(java === undefined ? {} : { java }),
    ...(terraform === undefined ? {} : { terraform }),
    ...(chromium === undefined ? {} : { chromium }),
    ...(env.CHROMIUM_PATH ? { chromiumOverride: env.CHROMIUM_PATH } : {}),
  };
};

/** The message a user sees: one line per missing tool and how to install it. */
const describeProblems = (purpose: Purpose, problems: Problem[]): string =>
  [
    `npm ${purpose} cannot run: ${problems.length === 1 ? 'a requirement is' : 'requirements are'} missing.`,
    ...problems.map(({ tool, problem, fix }) => `  - ${tool}: ${problem}\n    fix: ${fix}`),
  ].join('\n');

export type { Problem, Purpose, SystemFacts, Tool };
export { chromiumExecutable, describeProblems, findOnPath, inspectSystem, MINIMUM, missingRequirements };
