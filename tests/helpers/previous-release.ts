/**
 * A production build of the previous release, for the upgrade test: the source of that commit
 * (from this repository's history, with `git archive`: nothing is checked out here), the
 * dependencies (this checkout's, hard-linked, when its lockfile is the same; otherwise `npm ci`),
 * its Prisma clients and `next build`. Built once into the system's temp directory and reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths';

/**
 * The last commit before a session became one row (one row per refresh token until then). Move
 * it forward only with a release whose data the current migrations must carry over.
 */
export const PREVIOUS_RELEASE = '9cb8b541be1b272f07f97581658e6d6010138b66';

function run(command: string, args: string[], cwd: string, input?: Buffer): Buffer {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  const result = spawnSync(command, args, { cwd, input, maxBuffer: 512 * 1024 * 1024, env });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${String(result.stderr)}`);
  }
  return result.stdout;
}

export function previousReleaseBuild(commit = PREVIOUS_RELEASE): string {
  const dir = path.join(os.tmpdir(), `staysignedin-release-${commit.slice(0, 12)}`);
  if (existsSync(path.join(dir, '.next', 'BUILD_ID'))) return dir;
  const known = spawnSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: ROOT });
  if (known.status !== 0) {
    throw new Error(`commit ${commit} is not in this clone's history: the upgrade test needs a full clone`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('tar', ['-x', '-C', dir], ROOT, run('git', ['archive', commit], ROOT));
  const sameLock = readFileSync(path.join(dir, 'package-lock.json')).equals(
    readFileSync(path.join(ROOT, 'package-lock.json')),
  );
  if (sameLock) {
    // The same packages: links to this checkout's files instead of a second install.
    run('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')], ROOT);
  } else {
    run('npm', ['ci', '--no-audit', '--no-fund', '--include=dev'], dir);
  }
  run(process.execPath, ['scripts/prisma.mjs', 'generate'], dir);
  run(process.execPath, [path.join(dir, 'node_modules/next/dist/bin/next'), 'build'], dir);
  return dir;
}
