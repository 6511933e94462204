import { Kysely, sql } from 'kysely';

// The roll-up triggers of 20261123T2100_report_rollups on PostgreSQL: the same rules as the SQLite triggers
// there, as plpgsql trigger functions. A PostgreSQL trigger's WHEN may not hold a subquery, so the
// answers' condition moved into the function body. Frozen with that migration.

const COUNTED = `('submitted', 'released', 'acknowledged')`;

// For the text timestamps of the migrations before 20261215T0100_timestamptz, which rewrites these bodies for
// timestamptz; a trigger made after it takes a day with utcDaySql (src/db/dialect.ts).
function mark(kind: 'calls' | 'scores', dayExpr: string): string {
  return `insert into rollup_dirty (kind, day) select '${kind}', d from (select substr(${dayExpr}, 1, 10) as d) x
    where d is not null on conflict do nothing;`;
}

const callDayOf = (ref: 'new' | 'old') => `(select started_at from calls where id = ${ref}.call_id)`;

interface Trigger {
  name: string;
  /** `after <event> on <table>` */
  event: string;
  table: string;
  when?: string;
  body: string;
}

const triggers: Trigger[] = [
  { name: 'rollup_calls_insert', event: 'insert', table: 'calls', body: mark('calls', 'new.started_at') },
  {
    name: 'rollup_calls_update',
    event: 'update of started_at, team_id, category, direction, abandoned, queue_wait_s, hold_s, csat',
    table: 'calls',
    body: `${mark('calls', 'old.started_at')} ${mark('calls', 'new.started_at')}`,
  },
  { name: 'rollup_calls_delete', event: 'delete', table: 'calls', body: mark('calls', 'old.started_at') },
  {
    name: 'rollup_evaluations_insert',
    event: 'insert',
    table: 'evaluations',
    when: `new.kind = 'standard' and new.status in ${COUNTED}`,
    body: `${mark('scores', 'new.submitted_at')} ${mark('calls', callDayOf('new'))}`,
  },
  {
    name: 'rollup_evaluations_update',
    event: 'update of kind, status, submitted_at, score, team_id, call_id',
    table: 'evaluations',
    when: `(old.kind = 'standard' and old.status in ${COUNTED}) or (new.kind = 'standard' and new.status in ${COUNTED})`,
    body: `${mark('scores', 'old.submitted_at')} ${mark('scores', 'new.submitted_at')}
      ${mark('calls', callDayOf('old'))} ${mark('calls', callDayOf('new'))}`,
  },
  {
    name: 'rollup_evaluations_delete',
    event: 'delete',
    table: 'evaluations',
    when: `old.kind = 'standard' and old.status in ${COUNTED}`,
    body: `${mark('scores', 'old.submitted_at')} ${mark('calls', callDayOf('old'))}`,
  },
];

for (const event of ['insert', 'update']) {
  triggers.push({
    name: `rollup_settings_${event}`,
    event,
    table: 'settings',
    when: `new.key = 'service_level_threshold_s'`,
    body: `insert into rollup_dirty (kind, day)
      select distinct 'calls', day from rollup_call_day where threshold_s is distinct from cast(new.value as integer)
      on conflict do nothing;`,
  });
}

for (const [event, ref] of [
  ['insert', 'new'],
  ['update', 'new'],
  ['delete', 'old'],
] as const) {
  const counted = `(select e.kind = 'standard' and e.status in ${COUNTED} from evaluations e where e.id = ${ref}.evaluation_id)`;
  triggers.push({
    name: `rollup_answers_${event}`,
    event,
    table: 'evaluation_answers',
    body: `if ${counted} then
      ${mark('scores', `(select submitted_at from evaluations where id = ${ref}.evaluation_id)`)}
      ${mark('calls', `(select c.started_at from evaluations e join calls c on c.id = e.call_id where e.id = ${ref}.evaluation_id)`)}
    end if;`,
  });
}

function statements(t: Trigger): string[] {
  return [
    `create function ${t.name}() returns trigger language plpgsql as $$ begin ${t.body} return null; end $$`,
    `create trigger ${t.name} after ${t.event} on ${t.table} for each row` +
      `${t.when ? ` when (${t.when})` : ''} execute function ${t.name}()`,
  ];
}

export const POSTGRES_TRIGGERS: string[] = triggers.flatMap(statements);

export async function dropPostgresTriggers(db: Kysely<any>): Promise<void> {
  for (const t of triggers) {
    await sql.raw(`drop trigger if exists ${t.name} on ${t.table}`).execute(db);
    await sql.raw(`drop function if exists ${t.name}()`).execute(db);
  }
}
