// The Node major the Lambda runs (serverless.yml: nodejs24.x), for row 2b of `npm run bench`: these
// machines run Node 20, and a cold start's ratio to bare node differs between the two
// (docs/performance.md#row-2b-the-lambdas-own-node).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/support/processes.ts';

/** The major of the deployed stages' runtime (serverless.yml, `provider.runtime`). */
export const LAMBDA_NODE_MAJOR = 24;

/** Where the downloaded Node is kept between bench runs (git-ignored, as the rest of .bench/). */
const CACHE = join(PROJECT_ROOT, '.bench', 'lambda-node');

export type LambdaNode = { readonly path: string; readonly version: string } | { readonly problem: string };

/** The npm package that ships a Node binary for this machine: the npm registry is the one these machines reach. */
export function nodePackageFor(platform: string, arch: string): string | undefined {
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) return undefined;
  return `node-linux-${arch}`;
}

const versionOf = (path: string): string => execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();

/**
 * A Node of the Lambda's major: BENCH_LAMBDA_NODE when set (a path to a node binary), else the
 * newest `node-linux-<arch>@24` from the npm registry, packed once into .bench/lambda-node/ and
 * kept there. Never throws: a bench without it still measures every other row, and says why.
 */
export function lambdaNode(env: NodeJS.ProcessEnv = process.env): LambdaNode {
  try {
    const given = env.BENCH_LAMBDA_NODE;
    const path = given !== undefined && given.length > 0 ? given : cachedOrPacked();
    let version: string;
    try {
      version = versionOf(path);
    } catch (error) {
      throw new Error(`${path} --version failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (!version.startsWith(`v${LAMBDA_NODE_MAJOR}.`)) return { problem: `${path} is Node ${version}, not ${LAMBDA_NODE_MAJOR}.x` };
    return { path, version };
  } catch (error) {
    return { problem: error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error) };
  }
}

function cachedOrPacked(): string {
  const name = nodePackageFor(process.platform, process.arch);
  if (name === undefined) throw new Error(`no npm package ships Node for ${process.platform}/${process.arch}; set BENCH_LAMBDA_NODE to a Node ${LAMBDA_NODE_MAJOR} binary`);
  const binary = join(CACHE, name, 'bin', 'node');
  if (existsSync(binary)) return binary;
  const staging = join(CACHE, `staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    // About 50 MB, once per machine: npm resolves the newest release of the major.
    execFileSync('npm', ['pack', `${name}@${LAMBDA_NODE_MAJOR}`, '--silent', '--pack-destination', staging], { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    const tarball = readdirSync(staging).find((file) => file.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack ${name}@${LAMBDA_NODE_MAJOR} wrote no tarball`);
    execFileSync('tar', ['-xzf', tarball], { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync(join(CACHE, name), { recursive: true, force: true });
    renameSync(join(staging, 'package'), join(CACHE, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
