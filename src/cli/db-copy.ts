import path from 'node:path';
import { openDatabase, openPostgres } from '../db/database';
import { copyDatabase } from '../db/copy';
import { migrateToLatest } from '../db/migrate';
import { isPostgresUrl } from '../db/postgres';
import { runCommand } from './run';

const USAGE = 'usage: npm run db:copy -- --from sqlite:./data/callscore.db --to postgres://user@host:5432/callscore';

function argument(name: string): string | undefined {
  const args = process.argv.slice(2);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

/** The connection string without its password, for messages. */
function safe(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * `npm run db:copy -- --from sqlite:<file> --to postgres://…`: migrates the target, copies every table, and
 * verifies row counts and checksums (src/db/copy.ts). Stop the app (or keep it from writing) while it runs.
 */
async function main(): Promise<number> {
  const from = argument('from');
  const to = argument('to');
  if (!from?.startsWith('sqlite:') || !to || !isPostgresUrl(to)) {
    console.error(USAGE);
    return 2;
  }
  const file = path.resolve(from.slice('sqlite:'.length));
  const source = openDatabase(file);
  const target = openPostgres(to, { max: 2 });
  try {
    await migrateToLatest(source.db);
    await migrateToLatest(target.db);
    console.log(`Copying ${file} to ${safe(to)}`);
    const reports = await copyDatabase(source, target.db, { log: (line) => console.log(`  ${line}`) });
    for (const r of reports) console.log(`verified ${r.table}: ${r.rows} rows, sha256 ${r.checksum.slice(0, 16)}…`);
    console.log(`Copied and verified ${reports.length} tables.`);
    return 0;
  } catch (err) {
    console.error(
      `db:copy failed, no copied rows were kept on the target: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 1;
  } finally {
    await source.close();
    await target.close();
  }
}

runCommand(main);
