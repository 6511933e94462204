import { Kysely, sql } from 'kysely';
import { PostgresAdapter } from 'kysely';

// Issue 16: the default call topics reach installations set up before topics existed (a fresh setup adds them
// itself, src/topics/defaults.ts). Added once, only to an installation that is set up (it has people), has no
// topic and never had one: an admin who deleted every topic does not get them back. "Never had one" is read
// from the topics id generator (SQLite's sqlite_sequence row; PostgreSQL's identity sequence), which a first
// insert moves and a delete does not. The list is the defaults as they were at this migration, frozen here.

const customerSays = (anyOf: string[]) => JSON.stringify({ phrase: { any_of: anyOf, speaker: 'customer' } });

const DEFAULTS: ReadonlyArray<[string, string]> = [
  [
    'Complaint',
    customerSays([
      'I want to complain',
      'make a complaint',
      'file a complaint',
      'this is unacceptable',
      'not happy with',
      'very disappointed',
    ]),
  ],
  [
    'Threat to cancel',
    customerSays([
      'cancel my account',
      'cancel my subscription',
      'close my account',
      'I want to cancel',
      'take my business elsewhere',
      'switch to another provider',
    ]),
  ],
  [
    'Asks for a manager',
    customerSays([
      'speak to a manager',
      'talk to a manager',
      'speak to your manager',
      'speak to a supervisor',
      'talk to your supervisor',
      'someone in charge',
    ]),
  ],
  [
    'Mentions a competitor',
    customerSays(['another company', 'a competitor', 'cheaper elsewhere', 'better deal elsewhere', 'other provider']),
  ],
  [
    'Billing dispute',
    customerSays([
      'charged twice',
      'overcharged',
      'wrong amount',
      'my bill is wrong',
      'dispute the charge',
      'did not order',
    ]),
  ],
];

async function everHadTopics(db: Kysely<any>): Promise<boolean> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ last: unknown }>`
      select pg_sequence_last_value(pg_get_serial_sequence('topics', 'id')::regclass) as last`.execute(db);
    return rows[0]?.last !== null && rows[0]?.last !== undefined;
  }
  const { rows } = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'topics'`.execute(db);
  return rows.length > 0;
}

export async function up(db: Kysely<any>): Promise<void> {
  const person = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  const topic = await db.selectFrom('topics').select('id').limit(1).executeTakeFirst();
  if (!person || topic || (await everHadTopics(db))) return;
  const now = new Date().toISOString();
  await db
    .insertInto('topics')
    .values(DEFAULTS.map(([name, rule]) => ({ name, rule, active: 1, created_at: now, updated_at: now })))
    .execute();
}

export async function down(): Promise<void> {
  // The topics stay: they are the center's now, to keep, change or delete.
}
