import { Router, type Request, type RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { csvResponse, pct } from '../lib/csv';
import { NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { listTeams } from '../org';
import { actorOf, maySeeAnalysis, requireSignedIn, teamScope } from '../policy';
import { queryString, reportFilter, rollupDays } from '../reports';
import { coverageReport, type CoverageReport, type ItemCoverage } from './coverage';
import { coverageRubrics } from './coverage.queries';
import { coverageQuerySchema } from './coverage.schemas';

// /reports/coverage (page and CSV): how much the rules answer and how their fail rates compare with people's.
// Staff only; a CSR never learns that calls are scored automatically, so for them the page does not exist (404).

async function coverageOf(deps: AppDeps, req: Request) {
  const actor = actorOf(req);
  if (!maySeeAnalysis(actor)) throw new NotFound('Page not found.');
  const filter = await reportFilter(deps.db, actor, req.query, deps.clock.now(), 90);
  const { rubric_id } = parseInput(coverageQuerySchema, req.query);
  const rubrics = await coverageRubrics(deps.db);
  const chosen = rubric_id ?? (rubrics.find((r) => r.auto_mode === 'auto') ?? rubrics[0])?.id;
  const report = chosen
    ? await coverageReport(deps.db, {
        rubricId: chosen,
        from: filter.from,
        to: filter.to,
        teamIds: filter.teamIds,
        agentId: filter.agentId,
        days: rollupDays(filter),
      })
    : null;
  const query = `${queryString(filter)}${chosen ? `&rubric_id=${chosen}` : ''}`;
  return { actor, filter, rubrics, report, query };
}

function coveragePage(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { actor, filter, rubrics, report, query } = await coverageOf(deps, req);
    const scope = await teamScope(deps.db, actor);
    const teams = await listTeams(deps.db, scope.all ? undefined : scope.teamIds);
    res.render('autoeval/coverage', { title: 'Coverage', filter, teams, rubrics, report, query });
  };
}

const rateCells = (r: ItemCoverage['auto']) => [
  r.answered,
  r.failed,
  pct(r.rate),
  pct(r.interval?.low ?? null),
  pct(r.interval?.high ?? null),
];

function csvRows(report: CoverageReport): Array<Array<string | number>> {
  const rows: Array<Array<string | number>> = [];
  const add = (
    level: string,
    id: number | '',
    name: string,
    analysed: number,
    answered: number,
    items: ItemCoverage[],
  ) => {
    for (const item of items) {
      rows.push([
        level,
        id,
        name,
        analysed,
        answered,
        item.item_id,
        item.prompt,
        ...rateCells(item.auto),
        ...rateCells(item.human),
      ]);
    }
  };
  add('all', '', 'All', report.analysed, report.answered, report.items);
  for (const t of report.teams) add('team', t.id, t.name, t.analysed, t.answered, t.items);
  for (const c of report.csrs) add('csr', c.id, c.name, c.analysed, c.answered, c.items);
  return rows;
}

function coverageCsv(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const { filter, report } = await coverageOf(deps, req);
    const rate = (side: string) => [
      `${side}_answered`,
      `${side}_failed`,
      `${side}_fail_pct`,
      `${side}_ci_low_pct`,
      `${side}_ci_high_pct`,
    ];
    const csv = csvResponse(res, `coverage-${filter.fromDate}-to-${filter.toDate}.csv`, [
      'level',
      'id',
      'name',
      'analysed_calls',
      'auto_answered_calls',
      'item_id',
      'item',
      ...rate('auto'),
      ...rate('human'),
    ]);
    for (const row of report ? csvRows(report) : []) await csv.row(row);
    csv.end();
  };
}

export function coverageRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/reports/coverage', requireSignedIn, coveragePage(deps));
  router.get('/reports/coverage.csv', requireSignedIn, coverageCsv(deps));
  return router;
}
