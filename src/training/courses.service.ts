import { recordChange } from '../audit';
import type { TrainingCourse } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { inTransaction } from '../db/transaction';
import { Conflict, NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import { findCourse, insertCourse, markCourseRetired } from './courses.queries';
import { describeRule } from './pricing';
import { courseSchema } from './training.schemas';

export function courseJson(course: TrainingCourse) {
  const rule =
    course.group_rule === 'every_n_free'
      ? { type: 'every_n_free' as const, n: course.group_n }
      : course.group_rule === 'percent_off'
        ? { type: 'percent_off' as const, min_seats: course.group_min_seats, percent: course.group_percent }
        : null;
  return {
    id: course.id,
    title: course.title,
    description: course.description,
    provider: course.provider,
    duration_minutes: course.duration_minutes,
    cost_cents: course.cost_cents,
    group_rule: rule,
    group_rule_text: describeRule(course),
    retired: course.retired_at !== null,
    retired_at: course.retired_at,
  };
}

export async function createCourse(deps: AppDeps, actor: Actor, raw: unknown, ip?: string): Promise<TrainingCourse> {
  const input = parseInput(courseSchema, raw);
  const now = isoNow(deps.clock);
  const rule = input.group_rule;
  return inTransaction(deps.db, async (trx) => {
    const course = await insertCourse(trx, {
      title: input.title,
      description: input.description,
      provider: input.provider,
      duration_minutes: input.duration_minutes,
      cost_cents: input.cost_cents,
      group_rule: rule?.type ?? null,
      group_n: rule?.type === 'every_n_free' ? rule.n : null,
      group_min_seats: rule?.type === 'percent_off' ? rule.min_seats : null,
      group_percent: rule?.type === 'percent_off' ? rule.percent : null,
      created_by: actor.id,
      created_at: now,
    });
    await recordChange(trx, now, { actorId: actor.id, ip }, 'course.created', ['training_course', course.id], {
      title: input.title,
      cost_cents: input.cost_cents,
    });
    return course;
  });
}

/** Retiring keeps the course and every booking of it; it just cannot be booked any more. */
export async function retireCourse(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<void> {
  const course = await findCourse(deps.db, id);
  if (!course) throw new NotFound('No such course.');
  if (course.retired_at) throw new Conflict('This course is already retired.', 'already_retired');
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await markCourseRetired(trx, id, now);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'course.retired', ['training_course', id]);
  });
}
