/**
 * Builds a realistic Callscore database for the benchmarks: the app's own migrations, then departments,
 * teams, supervisors, managers, CSRs and N calls over a year, bulk-loaded with raw better-sqlite3 prepared
 * statements in large transactions (this is a generator, not app code).
 *
 *   node_modules/.bin/tsx bench/generate.ts --calls 1000000 --csrs 1000 --teams 50 --departments 5 --out DIR
 *
 * Writes DIR/callscore.db, DIR/recordings/<shared>.wav and DIR/bench-manifest.json (accounts, filter values,
 * counts). Without --out the dataset goes to the cache folder bench/run.ts looks in. See bench/README.md.
 *
 * The generator's parts are in bench/generator/: the org, the calls, the audit log, and the dataset that ties
 * them together.
 */
import { ensureDataset } from './generator/dataset';
import { optionsFromArgs } from './generator/options';
import { log } from './generator/vocabulary';

export { ensureDataset, generateDataset, type GenerateResult } from './generator/dataset';
export { optionsFromArgs } from './generator/options';

async function main(): Promise<void> {
  const { options, out, force, migrationsDir } = optionsFromArgs(process.argv.slice(2));
  const manifest = await ensureDataset(options, out, force, migrationsDir);
  log(`counts ${JSON.stringify(manifest.counts)}`);
  log(
    `accounts (password "${manifest.password}"): ${Object.values(manifest.accounts)
      .map((a) => a.username)
      .join(', ')}`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
