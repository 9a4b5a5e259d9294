import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs the real `terraform` CLI on a temporary copy of terraform/. Here the AWS provider comes from a
 * local mirror (TF_PLUGIN_DIR, else /opt/tf-plugins); on a machine without one, `terraform init`
 * downloads it. A mirror holding a release older than the one the configuration requires gets the
 * two documented rewrites, in the copy only: the provider version constraint, and the Lambda runtime
 * that release does not know yet.
 */
const TERRAFORM_DIR = 'terraform';
const DEFAULT_PLUGIN_DIR = '/opt/tf-plugins';
const REQUIRED_PROVIDER = '6.19.0';
const RUNTIME = 'nodejs24.x';
const OLDER_RUNTIME = 'nodejs22.x';
const INSTALL_TERRAFORM = 'Install Terraform 1.9 or later and put it on the PATH: https://developer.hashicorp.com/terraform/install';

interface CommandResult {
  code: number;
  output: string;
}

interface PreparedCopy {
  dir: string;
  /** How the provider was obtained and what was rewritten, for the failure messages. */
  setup: string;
  remove: () => Promise<void>;
}

const ENVIRONMENT = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };

const terraform = (args: string[], cwd: string): Promise<CommandResult> =>
  new Promise((resolve, reject) => {
    execFile('terraform', [...args, '-no-color'], { cwd, env: ENVIRONMENT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`terraform is not on the PATH. ${INSTALL_TERRAFORM}`));
        return;
      }
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });

/** Throws with the command and everything terraform printed unless it exited 0. */
const terraformOk = async (args: string[], cwd: string, setup: string): Promise<string> => {
  const { code, output } = await terraform(args, cwd);
  if (code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${code} (${setup}):\n${output}`);
  return output;
};

const compareVersions = (a: string, b: string): number => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i += 1) if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) - (y?.[i] ?? 0);
  return 0;
};

/** The newest hashicorp/aws release in an unpacked plugin mirror, or undefined without one. */
const mirroredProvider = async (pluginDir: string): Promise<string | undefined> => {
  const dir = join(pluginDir, 'registry.terraform.io', 'hashicorp', 'aws');
  if (!existsSync(dir)) return undefined;
  return (await readdir(dir))
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v))
    .sort(compareVersions)
    .at(-1);
};

const rewriteFiles = async (dir: string, pattern: RegExp, replace: (text: string) => string): Promise<void> => {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !pattern.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    const rewritten = replace(text);
    if (rewritten !== text) await writeFile(path, rewritten);
  }
};

/** The documented rewrites for a mirror older than REQUIRED_PROVIDER: its version, and the runtime. */
const adaptToOlderProvider = async (dir: string, version: string): Promise<void> => {
  await rewriteFiles(dir, /^versions\.tf$/, (text) => text.replace(/^(\s+version\s*=\s*)"[^"]*"/gm, `$1"${version}"`));
  await rewriteFiles(dir, /\.(tf|tftest\.hcl)$/, (text) => text.replaceAll(RUNTIME, OLDER_RUNTIME));
};

/** Copies terraform/ (without local state or init leftovers) and runs `terraform init` in the copy. */
const prepareCopy = async (): Promise<PreparedCopy> => {
  const version = (await terraformOk(['version'], TERRAFORM_DIR, 'terraform version')).split('\n')[0];
  const dir = await mkdtemp(join(tmpdir(), 'terraform-check-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  await cp(TERRAFORM_DIR, dir, { recursive: true, filter: (source) => !/(\.terraform|\.tfstate|terraform\.tfvars)$/.test(source) });
  const pluginDir = process.env.TF_PLUGIN_DIR ?? DEFAULT_PLUGIN_DIR;
  const mirrored = await mirroredProvider(pluginDir);
  let setup = `${version}, hashicorp/aws from the registry (no mirror at ${pluginDir})`;
  const init = ['init', '-backend=false', '-input=false'];
  if (mirrored) {
    init.push(`-plugin-dir=${pluginDir}`);
    setup = `${version}, hashicorp/aws ${mirrored} from ${pluginDir}`;
    if (compareVersions(mirrored, REQUIRED_PROVIDER) < 0) {
      await adaptToOlderProvider(dir, mirrored);
      setup += `; copy rewritten for it: provider constraint = ${mirrored}, runtime ${RUNTIME} -> ${OLDER_RUNTIME}`;
    }
  }
  const { code, output } = await terraform(init, dir);
  if (code !== 0) {
    await remove();
    throw new Error(
      `terraform init failed (${setup}). Without network access, provide hashicorp/aws in an unpacked plugin mirror ` +
        `(<dir>/registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/) and set TF_PLUGIN_DIR to <dir>.\n${output}`,
    );
  }
  return { dir, setup, remove };
};

export type { CommandResult, PreparedCopy };
export { compareVersions, INSTALL_TERRAFORM, prepareCopy, TERRAFORM_DIR, terraform, terraformOk };
