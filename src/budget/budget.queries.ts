import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import { idsIn } from '../db/ids';

/** The departments with these ids (every one when null), by name. */
export async function departmentsByName(db: Executor, ids: number[] | null) {
  let query = db.selectFrom('departments').selectAll().orderBy('name');
  if (ids) query = query.where('id', 'in', idsIn(ids));
  return query.execute();
}

/** Committed spend in a period: every training booking and recognition award charged to the department. */
export async function committedCents(db: Executor, departmentId: number, key: string): Promise<number> {
  const row = await db
    .selectFrom(
      db
        .selectFrom('training_bookings')
        .select('total_cents as cents')
        .where('department_id', '=', departmentId)
        .where('period_key', '=', key)
        .unionAll(
          db
            .selectFrom('awards')
            .select('total_cents as cents')
            .where('department_id', '=', departmentId)
            .where('period_key', '=', key),
        )
        .as('charges'),
    )
    .select(sql<number>`coalesce(sum(cents), 0)`.as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Every charge to a department (its P&L for training and recognition), newest first. */
export async function departmentCharges(db: Executor, departmentId: number, key?: string) {
  let bookings = db
    .selectFrom('training_bookings as b')
    .innerJoin('training_courses as c', 'c.id', 'b.course_id')
    .leftJoin('users as u', 'u.id', 'b.booked_by')
    .select([
      sql<string>`'training'`.as('kind'),
      'b.id',
      'b.created_at',
      'b.period_key',
      sql<string>`c.title || ' × ' || b.seats || ' seat' || case when b.seats = 1 then '' else 's' end || case when b.free_seats > 0 then ' (' || b.free_seats || ' free)' else '' end`.as(
        'description',
      ),
      'b.total_cents',
      'b.over_budget',
      'u.display_name as by_name',
    ])
    .where('b.department_id', '=', departmentId);
  let awards = db
    .selectFrom('awards as a')
    .leftJoin('users as u', 'u.id', 'a.awarded_by')
    .select([
      sql<string>`'recognition'`.as('kind'),
      'a.id',
      'a.created_at',
      'a.period_key',
      sql<string>`a.title || ' for ' || (select count(*) from award_recipients r where r.award_id = a.id) || ' CSR(s)'`.as(
        'description',
      ),
      'a.total_cents',
      'a.over_budget',
      'u.display_name as by_name',
    ])
    .where('a.department_id', '=', departmentId);
  if (key) {
    bookings = bookings.where('b.period_key', '=', key);
    awards = awards.where('a.period_key', '=', key);
  }
  return db
    .selectFrom(bookings.unionAll(awards).as('charges'))
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
