import type { Executor } from '../db/transaction';
import type { ReportFilter } from './filters';

type Period = Pick<ReportFilter, 'from' | 'to'>;

/** A CSR's coaching tasks created in the period, oldest first. */
export function coachingTasksOfPeriod(db: Executor, csrId: number, { from, to }: Period) {
  return db
    .selectFrom('coaching_tasks')
    .select(['id', 'status', 'focus', 'completed_at', 'due_at'])
    .where('csr_id', '=', csrId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('id')
    .execute();
}

/** A CSR's training assignments made before the period's end, with their course titles, oldest first. */
export function trainingUntil(db: Executor, csrId: number, { to }: Period) {
  return db
    .selectFrom('training_assignments as a')
    .innerJoin('training_bookings as b', 'b.id', 'a.booking_id')
    .innerJoin('training_courses as c', 'c.id', 'b.course_id')
    .select(['c.title', 'a.status', 'a.completed_at', 'a.due_at'])
    .where('a.csr_id', '=', csrId)
    .where('a.created_at', '<', to)
    .orderBy('a.id')
    .execute();
}

/** A CSR's calls of the period: how many, and their average CSAT, hold and duration. */
export function callAveragesOfPeriod(db: Executor, agentId: number, { from, to }: Period) {
  return db
    .selectFrom('calls')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.avg<number>('csat').as('csat'),
      eb.fn.avg<number>('hold_s').as('hold'),
      eb.fn.avg<number>('duration_s').as('duration'),
    ])
    .where('agent_id', '=', agentId)
    .where('started_at', '>=', from)
    .where('started_at', '<', to)
    .executeTakeFirstOrThrow();
}
