import { Router, type Request, type RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { csvResponse, num, pct } from '../lib/csv';
import { Validation } from '../lib/errors';
import { listTeams } from '../org';
import { actorOf, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { barChart, lineChart, scoreTrendChart } from './charts';
import { categoryTrends, csatBreakdown, csatByItem } from './customer';
import { exportCalls, exportEvaluations } from './exports';
import { reportFilter, type ReportFilter } from './filters';
import { itemFailureRates, peopleFigures, scoreOverview } from './quality';
import { REPORT_TABLES } from './report-tables';
import { csrReviewRoutes } from './review.routes';
import { intradayReport } from './intraday';
import { intradayAndForecast } from './intraday-page';
import { intervalCsv } from './intraday-csv';
import { heatClass, staffingChart } from './intraday-chart';
import { serviceLevelReport } from './service-level';
import { autoQaRoutes } from './auto-qa.routes';
import { topicTrends } from './topics';

export function reportRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/reports', requireRole(...STAFF_ROLES));
  router.get('/reports', (_req, res) => res.render('reports/index', { title: 'Reports' }));
  router.get('/reports/service-level', serviceLevelPage(deps));
  router.get('/reports/service-level.csv', serviceLevelCsv(deps));
  router.get('/reports/quality', qualityPage(deps));
  router.get('/reports/table/:name.csv', tableCsv(deps));
  router.get('/reports/customers', customersPage(deps));
  router.get('/reports/calls.csv', callsCsv(deps));
  router.get('/reports/scorecards.csv', scorecardsCsv(deps));
  router.use(csrReviewRoutes(deps));
  router.use(autoQaRoutes(deps));
  return router;
}

/** The filter every report page reads (narrowed to the actor's scope), the teams to pick from, and its query. */
async function common(deps: AppDeps, req: Request, defaultDays = 30) {
  const actor = actorOf(req);
  const filter = await reportFilter(deps.db, actor, req.query, deps.clock.now(), defaultDays);
  const scope = await teamScope(deps.db, actor);
  const teams = await listTeams(deps.db, scope.all ? undefined : scope.teamIds);
  return { filter, teams, query: queryString(filter) };
}

function serviceLevelPage(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { filter, teams, query } = await common(deps, req);
    const { settings, threshold, report } = await serviceLevelReport(deps.db, filter);
    const [intraday, forecast] = await intradayAndForecast(deps.db, filter, threshold, settings, deps.clock.now());
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
      intraday,
      forecast,
      staffing: staffingChart(forecast.intervals, forecast.minutes),
      heatClass: (sl: number | null) => heatClass(sl, settings.service_level_target_pct / 100),
      settings,
    });
  };
}

function serviceLevelCsv(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { filter } = await common(deps, req);
    const { threshold, report, settings } = await serviceLevelReport(deps.db, filter);
    if (filter.intervalMinutes) {
      await intervalCsv(res, filter, await intradayReport(deps.db, filter, threshold, settings), threshold);
      return;
    }
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
  };
}

/**
 * The quality and customer pages list this many CSRs, lowest first (as the quality page lists 30 items); their
 * CSVs have them all.
 */
const CSR_ROWS_SHOWN = 50;

function qualityPage(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { filter, teams, query } = await common(deps, req, 90);
    // Trend, summary and distribution from one read of the period's scorecards, CSRs and evaluators from another.
    const [{ trend, summary, distribution }, items, { csrs, evaluators }] = await Promise.all([
      scoreOverview(deps.db, filter, 'staff'),
      itemFailureRates(deps.db, filter, 'staff'),
      peopleFigures(deps.db, filter),
    ]);
    res.render('reports/quality', {
      title: 'Quality',
      filter,
      teams,
      query,
      trend,
      trendChart: scoreTrendChart(trend),
      summary,
      items,
      distribution,
      distributionChart: barChart(distribution),
      evaluators,
      csrs,
      csrRows: CSR_ROWS_SHOWN,
    });
  };
}

function tableCsv(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const name = String(req.params.name);
    const build = Object.hasOwn(REPORT_TABLES, name) ? REPORT_TABLES[name] : undefined;
    if (!build) throw new Validation([{ path: 'name', message: 'No such table.' }]);
    const { filter } = await common(deps, req, 90);
    const table = await build(deps.db, filter);
    const csv = csvResponse(res, `${name}-${filter.fromDate}-to-${filter.toDate}.csv`, table.header);
    for (const row of table.rows) await csv.row(row);
    csv.end();
  };
}

function customersPage(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { filter, teams, query } = await common(deps, req, 90);
    const [csat, items, categories, topics] = await Promise.all([
      csatBreakdown(deps.db, filter),
      csatByItem(deps.db, filter),
      categoryTrends(deps.db, filter),
      topicTrends(deps.db, filter),
    ]);
    res.render('reports/customers', {
      title: 'Customers',
      filter,
      teams,
      query,
      csat,
      csrRows: CSR_ROWS_SHOWN,
      items,
      categories,
      topics,
    });
  };
}

function callsCsv(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { filter } = await common(deps, req);
    await exportCalls(deps.db, filter, res);
  };
}

function scorecardsCsv(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { filter } = await common(deps, req, 90);
    await exportEvaluations(deps.db, filter, res);
  };
}

export function queryString(filter: ReportFilter): string {
  const params = new URLSearchParams({
    from: filter.fromParam ?? filter.fromDate,
    to: filter.toParam ?? filter.toDate,
    group: filter.group,
  });
  if (filter.teamId) params.set('team_id', String(filter.teamId));
  if (filter.agent) params.set('agent', filter.agent);
  if (filter.thresholdS) params.set('threshold_s', String(filter.thresholdS));
  if (filter.interval) params.set('interval', filter.interval);
  return params.toString();
}
