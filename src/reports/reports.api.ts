import { Router } from 'express';
import type { AppDeps } from '../deps';
import { actorOf, requireRole, STAFF_ROLES } from '../policy';
import { autoQaApi } from './auto-qa.api';
import { reportFilter } from './filters';
import { itemFailureRates, scoreOverview } from './quality';
import { serviceLevelBuckets } from './intraday-api';
import { serviceLevelReport } from './service-level';

export function reportsApiRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(requireRole(...STAFF_ROLES));

  router.get('/service-level', async (req, res) => {
    const filter = await reportFilter(deps.db, actorOf(req), req.query, deps.clock.now());
    const { settings, threshold, report } = await serviceLevelReport(deps.db, filter);
    const t = report.total;
    const buckets = await serviceLevelBuckets(deps.db, filter, threshold, settings, report.buckets);
    res.json({
      from: filter.fromParam ?? filter.fromDate,
      to: filter.toParam ?? filter.toDate,
      threshold_s: threshold,
      offered: t.offered,
      answered_within: t.answered_within,
      abandoned: t.abandoned,
      service_level: t.service_level,
      target: settings.service_level_target_pct / 100,
      abandon_rate: t.abandon_rate,
      avg_queue_wait_s: t.avg_queue_wait_s,
      avg_hold_s: t.avg_hold_s,
      periods: report.buckets,
      ...(buckets ? { interval: filter.interval, time_zone: filter.timeZone, buckets } : {}),
    });
  });

  router.get('/scores', async (req, res) => {
    const filter = await reportFilter(deps.db, actorOf(req), req.query, deps.clock.now(), 90);
    // Trend and summary from one read (the daily roll-up for whole days; see scoreOverview).
    const [{ summary, trend }, items] = await Promise.all([
      scoreOverview(deps.db, filter, 'staff'),
      itemFailureRates(deps.db, filter, 'staff'),
    ]);
    res.json({
      from: filter.fromParam ?? filter.fromDate,
      to: filter.toParam ?? filter.toDate,
      count: summary.n,
      average: summary.mean,
      ci95: summary.low === null ? null : [summary.low, summary.high],
      pass_rate: summary.pass_rate,
      critical_fails: summary.critical_fails,
      periods: trend.map((t) => ({
        period: t.bucket,
        count: t.n,
        average: t.mean,
        ci95: t.low === null ? null : [t.low, t.high],
        pass_rate: t.pass_rate,
      })),
      items: items.map((i) => ({
        rubric: i.rubric,
        item: i.prompt,
        critical: i.critical,
        answered: i.answered,
        failed: i.failed,
        failure_rate: i.rate,
      })),
    });
  });

  router.get('/auto-qa', autoQaApi(deps));

  return router;
}
