/**
 * Role home pages (GET / as supervisor, manager, CSR and admin) and the CSR's own scorecard list
 * (GET /scorecards and GET /api/v1/evaluations as bench.csr), one request at a time and under load.
 */
import type { HttpCase, MeasuredCase } from '../lib/cases';
import type { Manifest } from '../lib/dataset';
import { pagesReport, runPages, type PagesResult } from './pages-common';
import { defineScenario, type ScenarioContext } from './types';

export function dashboardCases(manifest: Manifest): HttpCase[] {
  const sup = manifest.accounts.supervisor.teamIds.length;
  const mgr = manifest.accounts.manager.teamIds.length;
  return [
    { id: 'home-supervisor', label: `supervisor dashboard (${sup} teams)`, kind: 'page', as: 'supervisor', auth: 'session', path: '/' },
    { id: 'home-manager', label: `manager dashboard (${mgr} teams)`, kind: 'page', as: 'manager', auth: 'session', path: '/' },
    { id: 'home-csr', label: 'CSR home (own trend, scorecards, coaching)', kind: 'page', as: 'csr', auth: 'session', path: '/' },
    { id: 'scorecards-page', label: 'CSR scorecard list page', kind: 'page', as: 'csr', auth: 'session', path: '/scorecards' },
    { id: 'scorecards-api', label: 'CSR scorecard list API', kind: 'page', as: 'csr', auth: 'token', path: '/api/v1/evaluations' },
    { id: 'home-admin', label: 'admin home (counts, teams, audit)', kind: 'info', as: 'admin', auth: 'session', path: '/' },
    { id: 'queue-supervisor', label: 'scoring queue page (supervisor)', kind: 'info', as: 'supervisor', auth: 'session', path: '/evaluations' },
    { id: 'evaluations-api-supervisor', label: 'scorecard list API (supervisor)', kind: 'info', as: 'supervisor', auth: 'token', path: '/api/v1/evaluations' },
  ]; // prettier-ignore
}

function check(c: HttpCase, body: Buffer): string | null {
  if (c.auth === 'token') {
    const items = (JSON.parse(body.toString('utf8')) as { items?: unknown[] }).items;
    return items && items.length > 0 ? null : 'the scorecard list is empty (dataset without evaluations?)';
  }
  if (c.path === '/scorecards' && !body.includes('/evaluations/')) return 'the scorecard list shows no scorecard';
  return null;
}

async function run(ctx: ScenarioContext): Promise<PagesResult> {
  const cases = dashboardCases(ctx.manifest);
  return runPages(
    ctx,
    cases,
    [
      { title: 'dashboards (supervisor, manager, CSR)', ids: ['home-supervisor', 'home-manager', 'home-csr'] },
      { title: 'CSR scorecard list (page + API)', ids: ['scorecards-page', 'scorecards-api'] },
    ],
    check,
  );
}

function report(all: Array<{ size: number; result: PagesResult }>) {
  return pagesReport(
    all,
    '## Dashboards and the CSR scorecard list (`dashboards`)',
    'Sequential requests on one keep-alive connection (after up to 3 warm-ups). Pages use a signed-in session, the API a bearer token. ' +
      'Milliseconds; ✅/❌ against 50 ms median at 1M and ≤ 2× growth from 100k; rows marked – are shown for comparison only.',
    (c: MeasuredCase) => [`\`GET ${c.path}\``, c.as, c.label],
    ['request', 'as', 'what'],
    [{ what: 'Dashboards and CSR scorecard list', kind: 'page' }],
  );
}

export const dashboardsScenario = defineScenario<PagesResult>({
  name: 'dashboards',
  title: 'Role dashboards and the CSR scorecard list',
  sizes: 'all',
  run,
  report,
});
