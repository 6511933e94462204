import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './dataset';

/** The app under test: the working tree (default) or a snapshot of one commit. */
export interface AppUnderTest {
  dir: string;
  /** "working tree" or the commit. */
  label: string;
  commit: string | null;
  migrationsDir: string;
}

function git(args: string[]): string {
  const result = spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * `--commit REV` benchmarks a committed version while the working tree is mid-edit: `git archive REV` is
 * unpacked into the cache folder (read-only for the repository), node_modules is linked, and it is built
 * there. Without it the working tree itself is built and run.
 */
export function resolveApp(commit: string | undefined, cacheDir: string): AppUnderTest {
  if (!commit) {
    return {
      dir: PROJECT_ROOT,
      label: 'working tree',
      commit: null,
      migrationsDir: path.join(PROJECT_ROOT, 'migrations'),
    };
  }
  const sha = git(['rev-parse', '--verify', `${commit}^{commit}`]);
  const dir = path.join(cacheDir, `app-${sha.slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const archive = spawnSync('sh', ['-c', `git archive --format=tar ${sha} | tar -x -C "${dir}"`], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (archive.status !== 0) throw new Error(`git archive ${sha}: ${archive.stderr}`);
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  }
  return { dir, label: `commit ${sha.slice(0, 7)}`, commit: sha, migrationsDir: path.join(dir, 'migrations') };
}

/** `npm run build` (tsc -p tsconfig.build.json) in the app's folder; returns the time it took. */
export function buildApp(app: AppUnderTest): number {
  const started = performance.now();
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: app.dir,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `npm run build failed in ${app.label}:\n${result.stdout}${result.stderr}\n` +
        '(if others are mid-edit, benchmark the last commit with --commit HEAD)',
    );
  }
  return Math.round(performance.now() - started);
}
