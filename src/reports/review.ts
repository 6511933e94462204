import type { DB } from '../db/database';
import type { User } from '../db/schema';
import { NotFound } from '../lib/errors';
import { isCsrPerson, visibleUserOr404, type Actor } from '../policy';
import { awardsOf } from '../recognition';
import { getSettings } from '../settings';
import { scoreTrendChart } from './charts';
import { reportFilter, type ReportFilter } from './filters';
import { itemFailureRates, scoreSummary, scoreTrend } from './quality';
import { callAveragesOfPeriod, coachingTasksOfPeriod, trainingUntil } from './review.queries';
import { serviceLevel } from './service-level';

/** The CSR a review is about: one the actor may see, else (or anyone who is not a CSR) no such CSR. */
async function reviewedCsr(db: DB, actor: Actor, id: number): Promise<User> {
  const person = await visibleUserOr404(db, actor, id);
  if (!isCsrPerson(person)) throw new NotFound('No such CSR.');
  return person;
}

const orNull = (value: number | null) => (value === null ? null : Number(value));

type ItemRates = Awaited<ReturnType<typeof itemFailureRates>>;

/** An item is called a strength only after this many answers: one full-marks answer says nothing yet. */
export const STRENGTH_MIN_ANSWERS = 5;

/**
 * Strengths: items answered at least STRENGTH_MIN_ANSWERS times with full marks at least nine times in ten;
 * never one that is also a weakness.
 */
function strengthsAndWeaknesses(items: ItemRates) {
  const answered = items.filter((i) => i.answered > 0);
  return {
    strengthMinAnswers: STRENGTH_MIN_ANSWERS,
    strengths: [...answered]
      .filter((i) => i.rate <= 0.1 && i.answered >= STRENGTH_MIN_ANSWERS)
      .sort((a, b) => a.rate - b.rate || b.answered - a.answered)
      .slice(0, 5),
    weaknesses: answered.filter((i) => i.failed > 0 && i.rate > 0.1).slice(0, 5),
  };
}

/** Everything a CSR's printable review for a period shows: scores, service, calls, coaching, training, awards. */
export async function csrReview(db: DB, actor: Actor, id: number, query: unknown, now: Date) {
  const person = await reviewedCsr(db, actor, id);
  const filter: ReportFilter = {
    ...(await reportFilter(db, actor, query, now, 90)),
    agentId: person.id,
    agent: person.username,
  };
  const settings = await getSettings(db);
  const [summary, trend, items, service, coaching, training, awards] = await Promise.all([
    scoreSummary(db, filter, 'staff'),
    scoreTrend(db, filter, 'staff'),
    itemFailureRates(db, filter, 'staff'),
    serviceLevel(db, { ...filter, group: 'week' }, settings.service_level_threshold_s),
    coachingTasksOfPeriod(db, person.id, filter),
    trainingUntil(db, person.id, filter),
    awardsOf(db, person.id),
  ]);
  const calls = await callAveragesOfPeriod(db, person.id, filter);
  return {
    title: `Review: ${person.display_name}`,
    person,
    filter,
    summary,
    trendChart: scoreTrendChart(trend),
    trend,
    ...strengthsAndWeaknesses(items),
    service: service.total,
    calls: { n: Number(calls.n), csat: orNull(calls.csat), hold: orNull(calls.hold), duration: orNull(calls.duration) },
    coaching: coaching.map((c) => ({ ...c, focus: JSON.parse(c.focus) as Array<{ prompt: string }> })),
    training,
    awards: awards.filter((a) => a.created_at >= filter.from && a.created_at < filter.to),
  };
}
