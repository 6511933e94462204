import { Kysely } from 'kysely';
import {
  createStaleDayTriggers,
  dropStaleDayTriggers,
  markTeamDaysStale,
  type StaleDayTrigger,
} from './lib/stale-day-triggers';

// Issues 17 and 21, the customer report at a million calls: the topics' shares are over the week's analysed calls
// (analysed audio, or a transcript), which the report counted from every call of the 90 days (211 ms on SQLite,
// 312 ms on PostgreSQL). `rollup_team_day.analysed` keeps that count per local day and team, so an all-team report
// reads teams × days rows.
//
// Kept by the stale-day mechanism (kind 'calls', the UTC day the call started): the triggers below mark the call's
// day when its analysis becomes done or stops being done, and when a call gains or loses its transcript (its start,
// team and deletion are marked by rollup_calls_*). Every day already computed is marked stale, so the next refresh
// fills the column in.

const TRIGGERS: StaleDayTrigger[] = [
  {
    name: 'rollup_analysed_insert',
    table: 'call_analyses',
    of: 'call',
    event: 'insert',
    days: ['new'],
    when: "new.status = 'done'",
  },
  {
    name: 'rollup_analysed_update',
    table: 'call_analyses',
    of: 'call',
    event: 'update of status, call_id',
    days: ['old', 'new'],
    when: "(old.status = 'done' or new.status = 'done') and (old.status <> new.status or old.call_id <> new.call_id)",
  },
  {
    name: 'rollup_analysed_delete',
    table: 'call_analyses',
    of: 'call',
    event: 'delete',
    days: ['old'],
    when: "old.status = 'done'",
  },
  {
    name: 'rollup_analysed_transcript',
    table: 'calls',
    of: 'self',
    event: 'update of transcript',
    days: ['new'],
    when: '(old.transcript is null) <> (new.transcript is null)',
  },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('rollup_team_day')
    .addColumn('analysed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await createStaleDayTriggers(db, TRIGGERS);
  await markTeamDaysStale(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropStaleDayTriggers(db, TRIGGERS);
  await db.schema.alterTable('rollup_team_day').dropColumn('analysed').execute();
}
