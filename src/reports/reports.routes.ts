import { Router, type Request } from 'express';
import type { AppDeps } from '../deps';
import { Validation } from '../lib/errors';
import { listTeams } from '../org';
import { actorOf, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { getSettings } from '../settings';
import { barChart, lineChart } from './charts';
import { csvResponse, num, pct } from '../lib/csv';
import { categoryTrends, csatBreakdown, csatByItem } from './customer';
import { exportCalls, exportEvaluations } from './exports';
import { reportFilter, type ReportFilter } from './filters';
import { csrFigures, evaluatorFigures, itemFailureRates, scoreDistribution, scoreSummary, scoreTrend } from './quality';
import { serviceLevel } from './service-level';
import { csrReviewRoutes } from './review.routes';

export function reportRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/reports', requireRole(...STAFF_ROLES));

  async function common(req: Request, defaultDays = 30) {
    const actor = actorOf(req);
    const filter = await reportFilter(deps.db, actor, req.query, deps.clock.now(), defaultDays);
    const scope = await teamScope(deps.db, actor);
    const teams = await listTeams(deps.db, scope.all ? undefined : scope.teamIds);
    return { filter, teams, query: queryString(filter) };
  }

  router.get('/reports', (_req, res) => res.render('reports/index', { title: 'Reports' }));

  router.get('/reports/service-level', async (req, res) => {
    const { filter, teams, query } = await common(req);
    const settings = await getSettings(deps.db);
    const threshold = filter.thresholdS ?? settings.service_level_threshold_s;
    const report = await serviceLevel(deps.db, filter, threshold);
    const chart = lineChart(
      report.buckets.map((b) => ({
        label: b.bucket.slice(5),
        value: b.service_level === null ? null : b.service_level * 100,
        n: b.offered,
      })),
      { min: 0, max: 100, target: settings.service_level_target_pct, unit: '%' },
    );
    res.render('reports/service-level', {
      title: 'Service level',
      filter,
      teams,
      query,
      report,
      chart,
      threshold,
      target: settings.service_level_target_pct,
    });
  });

  router.get('/reports/service-level.csv', async (req, res) => {
    const { filter } = await common(req);
    const threshold = filter.thresholdS ?? (await getSettings(deps.db)).service_level_threshold_s;
    const report = await serviceLevel(deps.db, filter, threshold);
    const csv = csvResponse(res, `service-level-${filter.fromDate}-to-${filter.toDate}.csv`, [
      filter.group,
      'offered',
      `answered_within_${threshold}s`,
      'abandoned',
      'service_level_pct',
      'abandon_rate_pct',
      'avg_queue_wait_s',
      'avg_hold_s',
    ]);
    for (const b of [...report.buckets, report.total]) {
      await csv.row([
        b.bucket,
        b.offered,
        b.answered_within,
        b.abandoned,
        pct(b.service_level),
        pct(b.abandon_rate),
        num(b.avg_queue_wait_s),
        num(b.avg_hold_s),
      ]);
    }
    csv.end();
  });

  router.get('/reports/quality', async (req, res) => {
    const { filter, teams, query } = await common(req, 90);
    const [trend, summary, items, distribution, evaluators, csrs] = await Promise.all([
      scoreTrend(deps.db, filter, 'staff'),
      scoreSummary(deps.db, filter, 'staff'),
      itemFailureRates(deps.db, filter, 'staff'),
      scoreDistribution(deps.db, filter, 'staff'),
      evaluatorFigures(deps.db, filter),
      csrFigures(deps.db, filter, 'staff'),
    ]);
    const trendChart = lineChart(
      trend.map((t) => ({ label: t.bucket.slice(5), value: t.mean, low: t.low, high: t.high, n: t.n })),
      { min: 0, max: 100, unit: '%' },
    );
    res.render('reports/quality', {
      title: 'Quality',
      filter,
      teams,
      query,
      trend,
      trendChart,
      summary,
      items,
      distribution,
      distributionChart: barChart(distribution),
      evaluators,
      csrs,
    });
  });

  const tables: Record<string, (filter: ReportFilter) => Promise<{ header: string[]; rows: unknown[][] }>> = {
    'quality-trend': async (f) => ({
      header: [f.group, 'evaluations', 'average', 'ci95_low', 'ci95_high', 'pass_rate_pct'],
      rows: (await scoreTrend(deps.db, f, 'staff')).map((t) => [
        t.bucket,
        t.n,
        num(t.mean),
        num(t.low),
        num(t.high),
        pct(t.pass_rate),
      ]),
    }),
    'quality-items': async (f) => ({
      header: ['rubric', 'item', 'critical', 'answered', 'failed', 'failure_rate_pct'],
      rows: (await itemFailureRates(deps.db, f, 'staff')).map((i) => [
        i.rubric,
        i.prompt,
        i.critical ? 'yes' : 'no',
        i.answered,
        i.failed,
        pct(i.rate),
      ]),
    }),
    'quality-csrs': async (f) => ({
      header: ['csr', 'evaluations', 'average', 'ci95_low', 'ci95_high', 'pass_rate_pct', 'critical_fails'],
      rows: (await csrFigures(deps.db, f, 'staff')).map((c) => [
        c.name,
        c.n,
        num(c.mean),
        num(c.low),
        num(c.high),
        pct(c.pass_rate),
        c.critical_fails,
      ]),
    }),
    'quality-evaluators': async (f) => ({
      header: ['evaluator', 'evaluations', 'avg_minutes', 'avg_score', 'vs_overall'],
      rows: (await evaluatorFigures(deps.db, f)).evaluators.map((e) => [
        e.name,
        e.n,
        num(e.avg_time_s / 60),
        num(e.avg_score),
        num(e.delta),
      ]),
    }),
    'customer-items': async (f) => ({
      header: ['rubric', 'item', 'csat_when_passed', 'calls_passed', 'csat_when_failed', 'calls_failed', 'gap'],
      rows: (await csatByItem(deps.db, f)).map((i) => [
        i.rubric,
        i.prompt,
        num(i.csat_passed, 2),
        i.n_passed,
        num(i.csat_failed, 2),
        i.n_failed,
        num(i.gap, 2),
      ]),
    }),
    'customer-categories': async (f) => ({
      header: [f.group, 'category', 'calls', 'evaluations', 'avg_score'],
      rows: (await categoryTrends(deps.db, f)).map((c) => [
        c.bucket,
        c.category,
        c.calls,
        c.evaluations,
        num(c.avg_score),
      ]),
    }),
  };

  router.get('/reports/table/:name.csv', async (req, res) => {
    const build = tables[String(req.params.name)];
    if (!build) throw new Validation([{ path: 'name', message: 'No such table.' }]);
    const { filter } = await common(req, 90);
    const table = await build(filter);
    const csv = csvResponse(res, `${req.params.name}-${filter.fromDate}-to-${filter.toDate}.csv`, table.header);
    for (const row of table.rows) await csv.row(row);
    csv.end();
  });

  router.get('/reports/customers', async (req, res) => {
    const { filter, teams, query } = await common(req, 90);
    const [csat, items, categories] = await Promise.all([
      csatBreakdown(deps.db, filter),
      csatByItem(deps.db, filter),
      categoryTrends(deps.db, filter),
    ]);
    res.render('reports/customers', { title: 'Customers', filter, teams, query, csat, items, categories });
  });

  router.get('/reports/calls.csv', async (req, res) => {
    const { filter } = await common(req);
    await exportCalls(deps.db, filter, res);
  });

  router.get('/reports/scorecards.csv', async (req, res) => {
    const { filter } = await common(req, 90);
    await exportEvaluations(deps.db, filter, res);
  });

  router.use(csrReviewRoutes(deps));
  return router;
}

export function queryString(filter: ReportFilter): string {
  const params = new URLSearchParams({ from: filter.fromDate, to: filter.toDate, group: filter.group });
  if (filter.teamId) params.set('team_id', String(filter.teamId));
  if (filter.agent) params.set('agent', filter.agent);
  if (filter.thresholdS) params.set('threshold_s', String(filter.thresholdS));
  return params.toString();
}
