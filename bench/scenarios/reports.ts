/**
 * Reports over the last 90 days of the dataset: service level (page and API, one team and all teams),
 * quality, customers, the score API and a CSR's review page.
 */
import { daysBefore, type HttpCase, type MeasuredCase } from '../lib/cases';
import type { Manifest } from '../lib/dataset';
import { openReadOnly, userId } from '../lib/samples';
import { pagesReport, runPages, type PagesResult } from './pages-common';
import { defineScenario, type ScenarioContext } from './types';

/** The 90 days ending on the dataset's last day. */
export function ninetyDays(manifest: Manifest): string {
  return `from=${daysBefore(manifest.period.to, 89)}&to=${manifest.period.to}`;
}

export function reportCases(manifest: Manifest, csrReviewId: number): HttpCase[] {
  const range = ninetyDays(manifest);
  const team = manifest.samples.supervisorTeamId;
  const sup = manifest.accounts.supervisor.teamIds.length;
  return [
    { id: 'sl-page-all', label: 'service level, all teams', kind: 'report', as: 'admin', auth: 'session', path: `/reports/service-level?${range}` },
    { id: 'sl-page-team', label: `service level, team ${team}`, kind: 'report', as: 'admin', auth: 'session', path: `/reports/service-level?${range}&team_id=${team}` },
    { id: 'sl-api-all', label: 'service level API, all teams', kind: 'report', as: 'admin', auth: 'token', path: `/api/v1/reports/service-level?${range}` },
    { id: 'sl-api-team', label: `service level API, team ${team}`, kind: 'report', as: 'admin', auth: 'token', path: `/api/v1/reports/service-level?${range}&team_id=${team}` },
    { id: 'quality-all', label: 'quality, all teams', kind: 'report', as: 'admin', auth: 'session', path: `/reports/quality?${range}` },
    { id: 'quality-supervisor', label: `quality, supervisor's ${sup} teams`, kind: 'report', as: 'supervisor', auth: 'session', path: `/reports/quality?${range}` },
    { id: 'scores-api-all', label: 'scores API, all teams', kind: 'report', as: 'admin', auth: 'token', path: `/api/v1/reports/scores?${range}` },
    { id: 'customers-all', label: 'customers, all teams', kind: 'report', as: 'admin', auth: 'session', path: `/reports/customers?${range}` },
    { id: 'customers-supervisor', label: `customers, supervisor's ${sup} teams`, kind: 'report', as: 'supervisor', auth: 'session', path: `/reports/customers?${range}` },
    { id: 'csr-review', label: `CSR review page (${manifest.samples.agentInSupervisorTeam})`, kind: 'report', as: 'supervisor', auth: 'session', path: `/reports/csr/${csrReviewId}?${range}` },
  ]; // prettier-ignore
}

/** The year (365 days) ending on the dataset's last day. */
export function oneYear(manifest: Manifest): string {
  return `from=${daysBefore(manifest.period.to, 364)}&to=${manifest.period.to}`;
}

/** The all-team reports over one year (issue 21: < 200 ms at 1M calls); measured one by one, not in the load mixes. */
export function yearReportCases(manifest: Manifest): HttpCase[] {
  const range = oneYear(manifest);
  return [
    { id: 'sl-page-all-year', label: 'service level, all teams, one year', kind: 'year-report', as: 'admin', auth: 'session', path: `/reports/service-level?${range}` },
    { id: 'sl-api-all-year', label: 'service level API, all teams, one year', kind: 'year-report', as: 'admin', auth: 'token', path: `/api/v1/reports/service-level?${range}` },
    { id: 'quality-all-year', label: 'quality, all teams, one year', kind: 'year-report', as: 'admin', auth: 'session', path: `/reports/quality?${range}` },
    { id: 'scores-api-all-year', label: 'scores API, all teams, one year', kind: 'year-report', as: 'admin', auth: 'token', path: `/api/v1/reports/scores?${range}` },
    { id: 'customers-all-year', label: 'customers, all teams, one year', kind: 'year-report', as: 'admin', auth: 'session', path: `/reports/customers?${range}` },
  ]; // prettier-ignore
}

export function csrReviewId(ctx: Pick<ScenarioContext, 'workDir' | 'manifest'>): number {
  const db = openReadOnly(ctx.workDir);
  try {
    return userId(db, ctx.manifest.samples.agentInSupervisorTeam);
  } finally {
    db.close();
  }
}

async function run(ctx: ScenarioContext): Promise<PagesResult> {
  const cases = reportCases(ctx.manifest, csrReviewId(ctx));
  return runPages(
    ctx,
    [...cases, ...yearReportCases(ctx.manifest)],
    [
      { title: 'report pages', ids: cases.filter((c) => c.auth === 'session').map((c) => c.id) },
      { title: 'report API', ids: cases.filter((c) => c.auth === 'token').map((c) => c.id) },
    ],
  );
}

function report(all: Array<{ size: number; result: PagesResult }>) {
  return pagesReport(
    all,
    '## Reports (`reports`)',
    'The 90 days ending on the dataset’s last day, as admin (all 50 teams, or one team) or as the bench supervisor (their 2 teams). ' +
      'Sequential requests on one keep-alive connection (after up to 3 warm-ups); milliseconds; ✅/❌ against 100 ms median at 1M (200 ms for the one-year rows, all teams over the 365 days ending on the last day) and ≤ 2× growth from 100k. The one-year rows are not in the load mixes.',
    (c: MeasuredCase) => [`\`GET ${c.path.split('?')[0]}\``, c.as, c.label],
    ['request', 'as', 'what'],
    [
      { what: 'Reports (service level, quality, customers, scores API, CSR review; 90 days)', kind: 'report' },
      { what: 'All-team reports over one year (service level, quality, customers, scores API)', kind: 'year-report' },
    ],
  );
}

export const reportsScenario = defineScenario<PagesResult>({
  name: 'reports',
  title: 'Service level, quality, customer and CSR review reports (90 days)',
  sizes: 'all',
  run,
  report,
});
