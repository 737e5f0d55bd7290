/**
 * A build of the previous release, for e2e/previousRelease.spec.ts: `PREVIOUS_RELEASE_DIST` when given, else (with
 * EXTENSIVE=1) built here from PREVIOUS_RELEASE_COMMIT in a temporary git worktree that shares this checkout's
 * node_modules (the commit's package.json pins the same versions). Null when neither applies: the test skips.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The last commit before the storage upgrade (one database per page): what people's profiles hold today. */
export const PREVIOUS_RELEASE_COMMIT = '3709404';

export function previousReleaseDist(): string | null {
  if (process.env.PREVIOUS_RELEASE_DIST) return process.env.PREVIOUS_RELEASE_DIST;
  if (process.env.EXTENSIVE !== '1') return null;
  const tree = mkdtempSync(join(tmpdir(), 'quire-previous-'));
  const out = join(tree, 'dist-out');
  execFileSync('git', ['worktree', 'add', '--detach', join(tree, 'src'), PREVIOUS_RELEASE_COMMIT], { stdio: 'ignore' });
  try {
    symlinkSync(resolve('node_modules'), join(tree, 'src', 'node_modules'));
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', out], { cwd: join(tree, 'src'), stdio: 'inherit' });
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', join(tree, 'src')], { stdio: 'ignore' });
  }
  if (!existsSync(join(out, 'index.html'))) throw new Error(`building ${PREVIOUS_RELEASE_COMMIT} produced no app in ${out}`);
  return out;
}
