// A journey's record: numbered full-page screenshots under test-results/e2e/<journey>/NN-step.png, an axe
// check of each page visited, and the browser's own complaints (uncaught errors, CSP refusals). Accessibility
// and browser problems are collected as the journey goes and fail it at the end (finish()), so one run shows
// every page's problems instead of stopping at the first.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeViolations, isFailing, runAxe, type AxeViolation } from './a11y';
import { PROJECT_ROOT } from './server';

export const RESULTS_DIR = path.join(PROJECT_ROOT, 'test-results/e2e');

interface PageCheck {
  step: string;
  url: string;
  violations: AxeViolation[];
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'step'
  );
}

export class Journey {
  readonly dir: string;
  private count = 0;
  private readonly checks: PageCheck[] = [];
  private readonly problems: string[] = [];
  private readonly notes: string[] = [];
  private readonly watched = new WeakSet<Page>();

  constructor(readonly name: string) {
    this.dir = path.join(RESULTS_DIR, slug(name));
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** Records uncaught page errors and CSP refusals as failures, other console errors as notes. */
  watch(page: Page, who: string): Page {
    if (this.watched.has(page)) return page;
    this.watched.add(page);
    page.on('pageerror', (err) => this.problems.push(`[${who}] uncaught error on ${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      if (/Content Security Policy/i.test(text)) this.problems.push(`[${who}] CSP refusal on ${page.url()}: ${text}`);
      else this.notes.push(`[${who}] console error on ${page.url()}: ${text}`);
    });
    return page;
  }

  /**
   * Screenshot NN-<step>.png of the whole page and, unless a11y is false (the same page again), an axe check.
   * Returns the screenshot's path.
   */
  async step(page: Page, step: string, options: { a11y?: boolean } = {}): Promise<string> {
    this.count += 1;
    const file = path.join(this.dir, `${String(this.count).padStart(2, '0')}-${slug(step)}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
    if (options.a11y !== false) {
      const violations = await runAxe(page);
      this.checks.push({ step: `${path.basename(file)} ${new URL(page.url()).pathname}`, url: page.url(), violations });
    }
    this.writeReport();
    return file;
  }

  /** Serious and critical axe violations so far, one block per page. */
  accessibilityFailures(): string[] {
    return this.checks
      .filter((c) => c.violations.some(isFailing))
      .map((c) => describeViolations(c.step, c.violations.filter(isFailing)));
  }

  /** report.json: every page's axe violations (all impacts), browser problems and console errors so far. */
  writeReport(): void {
    const report = {
      journey: this.name,
      screenshots: this.count,
      pages: this.checks.map((c) => ({
        step: c.step,
        url: c.url,
        violations: c.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.map((n) => n.target.join(' ')),
        })),
      })),
      browser_problems: this.problems,
      console_notes: this.notes,
    };
    fs.writeFileSync(path.join(this.dir, 'report.json'), JSON.stringify(report, null, 2));
  }

  /** Fails when a page had a serious/critical axe violation or the browser reported an error. */
  finish(): void {
    this.writeReport();
    const failures = [...this.accessibilityFailures(), ...this.problems];
    if (failures.length) {
      throw new Error(
        `Journey "${this.name}" finished its steps but found ${failures.length} problem(s) ` +
          `(screenshots and report.json in ${path.relative(PROJECT_ROOT, this.dir)}):\n\n${failures.join('\n\n')}`,
      );
    }
  }
}
