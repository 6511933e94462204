// axe-core accessibility check of the page as it is now. Violations of impact "serious" or "critical" fail
// the journey; the rest are written to the journey's a11y report for information.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from './server';

export const AXE_PATH = path.join(PROJECT_ROOT, 'node_modules/axe-core/axe.min.js');
export const FAILING_IMPACTS = ['serious', 'critical'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; html: string; summary: string }>;
}

let axeSource: string | null = null;

/**
 * Injects axe-core. page.addScriptTag({ path }) inserts an inline <script>, which the app's CSP
 * (script-src 'self') refuses; rather than turn the CSP off for the whole journey (bypassCSP), the same file
 * is evaluated through the DevTools protocol, which page CSP does not govern. It is the same axe.min.js.
 */
async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate('typeof window.axe === "object"')) return;
  axeSource ??= fs.readFileSync(AXE_PATH, 'utf8');
  await page.evaluate(axeSource);
  if (!(await page.evaluate('typeof window.axe === "object"'))) throw new Error('axe-core did not load');
}

/** All axe violations on the page (every impact), WCAG 2.x A/AA plus best practices. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await injectAxe(page);
  // A string, not a function: the project's tsconfig has no DOM lib, and this runs in the page anyway.
  return (await page.evaluate(`
    window.axe.run(document, { resultTypes: ['violations'] }).then(function (result) {
      return result.violations.map(function (v) {
        return {
          id: v.id, impact: v.impact || null, help: v.help, helpUrl: v.helpUrl,
          nodes: v.nodes.map(function (n) {
            return { target: n.target.map(String), html: n.html.slice(0, 300), summary: n.failureSummary || '' };
          }),
        };
      });
    })
  `)) as AxeViolation[];
}

export function isFailing(violation: AxeViolation): boolean {
  return FAILING_IMPACTS.includes(violation.impact ?? '');
}

/** "rule (impact): help" with one line per offending node, for failure messages. */
export function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}\n` +
        v.nodes.map((n) => `    at ${n.target.join(' ')}  ${n.html}`).join('\n'),
    )
    .join('\n');
}

/** Throws when the page has a serious or critical violation (for one-off checks outside a Journey). */
export async function expectAccessible(page: Page, where = page.url()): Promise<void> {
  const failing = (await runAxe(page)).filter(isFailing);
  if (failing.length) throw new Error(`Accessibility violations:\n${describeViolations(where, failing)}`);
}
