import { Router } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { parseIdParam } from '../lib/validation';
import { actorOf, requireRole, visibleUserOr404 } from '../policy';
import { awardsOf } from '../recognition';
import { getSettings } from '../settings';
import { lineChart } from './charts';
import { reportFilter } from './filters';
import { itemFailureRates, scoreSummary, scoreTrend } from './quality';
import { serviceLevel } from './service-level';

/** A CSR's performance review for a period: printable, for supervisors and managers to hand over. */
export function csrReviewRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/reports/csr/:id', requireRole('admin', 'manager', 'supervisor'), async (req, res) => {
    const id = parseIdParam(req.params.id);
    if (id === null) throw new NotFound('No such CSR.');
    const actor = actorOf(req);
    const person = await visibleUserOr404(deps.db, actor, id);
    if (person.role !== 'csr') throw new NotFound('No such CSR.');
    const filter = {
      ...(await reportFilter(deps.db, actor, req.query, deps.clock.now(), 90)),
      agentId: person.id,
      agent: person.username,
    };
    const settings = await getSettings(deps.db);
    const [summary, trend, items, service, coaching, training, awards] = await Promise.all([
      scoreSummary(deps.db, filter, 'staff'),
      scoreTrend(deps.db, filter, 'staff'),
      itemFailureRates(deps.db, filter, 'staff'),
      serviceLevel(deps.db, { ...filter, group: 'week' }, settings.service_level_threshold_s),
      deps.db
        .selectFrom('coaching_tasks')
        .select(['id', 'status', 'focus', 'completed_at', 'due_at'])
        .where('csr_id', '=', person.id)
        .where('created_at', '>=', filter.from)
        .where('created_at', '<', filter.to)
        .orderBy('id')
        .execute(),
      deps.db
        .selectFrom('training_assignments as a')
        .innerJoin('training_bookings as b', 'b.id', 'a.booking_id')
        .innerJoin('training_courses as c', 'c.id', 'b.course_id')
        .select(['c.title', 'a.status', 'a.completed_at', 'a.due_at'])
        .where('a.csr_id', '=', person.id)
        .where('a.created_at', '<', filter.to)
        .orderBy('a.id')
        .execute(),
      awardsOf(deps.db, person.id),
    ]);
    const calls = await deps.db
      .selectFrom('calls')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.avg<number>('csat').as('csat'),
        eb.fn.avg<number>('hold_s').as('hold'),
        eb.fn.avg<number>('duration_s').as('duration'),
      ])
      .where('agent_id', '=', person.id)
      .where('started_at', '>=', filter.from)
      .where('started_at', '<', filter.to)
      .executeTakeFirstOrThrow();
    const answered = items.filter((i) => i.answered > 0);
    res.render('reports/csr', {
      title: `Review: ${person.display_name}`,
      person,
      filter,
      summary,
      trendChart: lineChart(
        trend.map((t) => ({ label: t.bucket.slice(5), value: t.mean, low: t.low, high: t.high, n: t.n })),
        { min: 0, max: 100, unit: '%' },
      ),
      trend,
      // Strengths: items with full marks at least nine times in ten; never one that is also a weakness.
      strengths: [...answered]
        .filter((i) => i.rate <= 0.1)
        .sort((a, b) => a.rate - b.rate || b.answered - a.answered)
        .slice(0, 5),
      weaknesses: answered.filter((i) => i.failed > 0 && i.rate > 0.1).slice(0, 5),
      service: service.total,
      calls: {
        n: Number(calls.n),
        csat: calls.csat === null ? null : Number(calls.csat),
        hold: calls.hold === null ? null : Number(calls.hold),
        duration: calls.duration === null ? null : Number(calls.duration),
      },
      coaching: coaching.map((c) => ({ ...c, focus: JSON.parse(c.focus) as Array<{ prompt: string }> })),
      training,
      awards: awards.filter((a) => a.created_at >= filter.from && a.created_at < filter.to),
    });
  });
  return router;
}
