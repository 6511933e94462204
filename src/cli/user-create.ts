import { parseArgs } from 'node:util';
import { bootstrap, createLogger } from '../bootstrap';
import { loadConfig } from '../config';
import { AppError, Validation } from '../lib/errors';
import { createUser } from '../users';
import { runCommand, withDatabase } from './run';

const USAGE =
  'Usage: npm run user:create -- --username NAME --password PASS --role admin|manager|supervisor|csr ' +
  '[--display-name "Full Name"] [--team-id N] [--department-id N]';

/** Creates a user without the web, for headless installs and scripts. */
async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        username: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string' },
        'display-name': { type: 'string' },
        'team-id': { type: 'string' },
        'department-id': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (!args.username || !args.password || !args.role) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const { deps, database } = await bootstrap(config, createLogger({ ...config, logLevel: 'warn' }));
  return withDatabase(database, async () => {
    try {
      const user = await createUser(deps, null, {
        username: args.username,
        password: args.password,
        role: args.role,
        display_name: args['display-name'] ?? args.username,
        team_id: args['team-id'],
        department_id: args['department-id'],
      });
      console.log(`Created ${user.role} ${user.username} (id ${user.id}).`);
      return 0;
    } catch (err) {
      return reportRefusal(err);
    }
  });
}

/** A refused user (bad field, taken name) is told on stderr with exit code 1; anything else is a crash. */
function reportRefusal(err: unknown): number {
  if (err instanceof Validation) {
    for (const d of err.details) console.error(`${d.path}: ${d.message}`);
    return 1;
  }
  if (err instanceof AppError) {
    console.error(err.message);
    return 1;
  }
  throw err;
}

runCommand(main);
