import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';
import { POSTGRES_TRIGGERS, dropPostgresTriggers } from './lib/report-rollups.postgres';

// Daily roll-ups for reports over all teams (bench/: service level, item failure rates and the customer view
// took 150–500 ms at a million calls even with indexes). Each roll-up row is a pure function of one UTC day of
// raw rows. Triggers only mark the days a write touched as stale (`rollup_dirty`), in the writer's transaction;
// a report recomputes the stale days of its range from the raw rows before reading (src/reports/rollups.ts),
// so every write path — imports, scoring, rescoring, disputes, retention, deletes — is covered without code of
// its own, and a roll-up can never disagree with the rows it sums.
//
// Kinds of day: 'calls' = the day a call started (rollup_call_day, rollup_item_csat_day);
// 'scores' = the day a scorecard was submitted (rollup_item_day).

const COUNTED = `('submitted', 'released', 'acknowledged')`;

function mark(kind: 'calls' | 'scores', dayExpr: string): string {
  return `insert or ignore into rollup_dirty (kind, day) select '${kind}', d from (select substr(${dayExpr}, 1, 10) as d) where d is not null;`;
}

const callDayOf = (ref: 'new' | 'old') => `(select started_at from calls where id = ${ref}.call_id)`;

const TRIGGERS = [
  `create trigger rollup_calls_insert after insert on calls begin ${mark('calls', 'new.started_at')} end`,
  `create trigger rollup_calls_update after update of started_at, team_id, category, direction, abandoned, queue_wait_s, hold_s, csat on calls
   begin ${mark('calls', 'old.started_at')} ${mark('calls', 'new.started_at')} end`,
  `create trigger rollup_calls_delete after delete on calls begin ${mark('calls', 'old.started_at')} end`,

  `create trigger rollup_evaluations_insert after insert on evaluations
   when new.kind = 'standard' and new.status in ${COUNTED}
   begin ${mark('scores', 'new.submitted_at')} ${mark('calls', callDayOf('new'))} end`,
  `create trigger rollup_evaluations_update after update of kind, status, submitted_at, score, team_id, call_id on evaluations
   when (old.kind = 'standard' and old.status in ${COUNTED}) or (new.kind = 'standard' and new.status in ${COUNTED})
   begin ${mark('scores', 'old.submitted_at')} ${mark('scores', 'new.submitted_at')}
         ${mark('calls', callDayOf('old'))} ${mark('calls', callDayOf('new'))} end`,
  `create trigger rollup_evaluations_delete after delete on evaluations
   when old.kind = 'standard' and old.status in ${COUNTED}
   begin ${mark('scores', 'old.submitted_at')} ${mark('calls', callDayOf('old'))} end`,
];

// The service level threshold is a setting: days computed for another threshold become stale when it changes.
for (const event of ['insert', 'update']) {
  TRIGGERS.push(
    `create trigger rollup_settings_${event} after ${event} on settings when new.key = 'service_level_threshold_s'
     begin insert or ignore into rollup_dirty (kind, day)
           select distinct 'calls', day from rollup_call_day where threshold_s is not cast(new.value as integer); end`,
  );
}

// Answers of a draft change on every autosave; only answers of a counted scorecard make a day stale.
for (const [event, ref] of [
  ['insert', 'new'],
  ['update', 'new'],
  ['delete', 'old'],
] as const) {
  const evaluation = `(select e.kind = 'standard' and e.status in ${COUNTED} from evaluations e where e.id = ${ref}.evaluation_id)`;
  TRIGGERS.push(
    `create trigger rollup_answers_${event} after ${event} on evaluation_answers when ${evaluation}
     begin ${mark('scores', `(select submitted_at from evaluations where id = ${ref}.evaluation_id)`)}
           ${mark('calls', `(select c.started_at from evaluations e join calls c on c.id = e.call_id where e.id = ${ref}.evaluation_id)`)} end`,
  );
}

const TRIGGER_NAMES = [
  'rollup_calls_insert',
  'rollup_calls_update',
  'rollup_calls_delete',
  'rollup_evaluations_insert',
  'rollup_evaluations_update',
  'rollup_evaluations_delete',
  'rollup_answers_insert',
  'rollup_answers_update',
  'rollup_answers_delete',
  'rollup_settings_insert',
  'rollup_settings_update',
];

/**
 * Runs one `create table … without rowid` as written on SQLite; on PostgreSQL without `without rowid` and with
 * `double precision` for SQLite's 8-byte `real`.
 */
async function table(db: Kysely<any>, ddl: string): Promise<void> {
  const text =
    engineOf(db) === 'postgres' ? ddl.replace(/\) without rowid$/, ')').replace(/ real /g, ' double precision ') : ddl;
  await sql.raw(text).execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await table(
    db,
    `create table rollup_dirty (
    kind text not null check (kind in ('calls', 'scores')),
    day text not null,
    primary key (kind, day)
  ) without rowid`,
  );

  // Per call day, category ('(none)' = none) and team (0 = none): service level, CSAT and scorecards of those calls.
  // within_threshold counts for threshold_s, the setting when the day was computed; a day computed for another
  // threshold is recomputed when read.
  await table(
    db,
    `create table rollup_call_day (
    day text not null,
    team_id integer not null,
    category text not null,
    threshold_s integer not null,
    calls integer not null,
    offered integer not null,
    answered integer not null,
    abandoned integer not null,
    within_threshold integer not null,
    wait_total integer not null,
    hold_total integer not null,
    csat_n integer not null,
    csat_total integer not null,
    evaluations integer not null,
    scored integer not null,
    score_total real not null,
    primary key (day, category, team_id)
  ) without rowid`,
  );

  // Per submitted day, team and rubric item: answers (N/A left out) and how many fell below full marks.
  await table(
    db,
    `create table rollup_item_day (
    day text not null,
    team_id integer not null,
    item_id integer not null,
    answered integer not null,
    failed integer not null,
    primary key (day, team_id, item_id)
  ) without rowid`,
  );

  // Per call day, team and rubric item, over calls with a CSAT: passed/failed answers and their CSAT totals.
  await table(
    db,
    `create table rollup_item_csat_day (
    day text not null,
    team_id integer not null,
    item_id integer not null,
    n_passed integer not null,
    csat_passed integer not null,
    n_failed integer not null,
    csat_failed integer not null,
    primary key (day, team_id, item_id)
  ) without rowid`,
  );

  if (engineOf(db) === 'postgres') {
    for (const statement of POSTGRES_TRIGGERS) await sql.raw(statement).execute(db);
    await sql`insert into rollup_dirty (kind, day) select distinct 'calls', substr(started_at, 1, 10) from calls
      on conflict do nothing`.execute(db);
    await sql`insert into rollup_dirty (kind, day)
      select distinct 'scores', substr(submitted_at, 1, 10) from evaluations where submitted_at is not null
      on conflict do nothing`.execute(db);
    return;
  }
  for (const trigger of TRIGGERS) await sql.raw(trigger).execute(db);

  // Existing data: every day is stale until a report or the daily job computes it.
  await sql`insert or ignore into rollup_dirty (kind, day) select distinct 'calls', substr(started_at, 1, 10) from calls`.execute(
    db,
  );
  await sql`insert or ignore into rollup_dirty (kind, day)
    select distinct 'scores', substr(submitted_at, 1, 10) from evaluations where submitted_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === 'postgres') await dropPostgresTriggers(db);
  else for (const name of TRIGGER_NAMES) await sql.raw(`drop trigger if exists ${name}`).execute(db);
  for (const table of ['rollup_item_csat_day', 'rollup_item_day', 'rollup_call_day', 'rollup_dirty']) {
    await db.schema.dropTable(table).execute();
  }
}
