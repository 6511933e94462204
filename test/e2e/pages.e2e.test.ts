// Journey 6: the pages people live in all day, at 1366×768 and at 390×844 (a phone), with axe on every page at
// both widths: the admin's guided start, the call list (filter chip, saved view, keyboard), the calibration
// picker with the call list's filters, the audit log, a call topic's dry run, the settings (risk limits), the
// supervisor's home and queue, and a CSR's scorecard.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newSession } from './harness/browser';
import { ADMIN, DEMO_PASSWORD, signIn } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { startServer, stopServerCleanly, type RunningServer } from './harness/server';

const WIDE = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** A screenshot and an axe check of the page at both widths; the page is left at the wide one. */
async function atBothWidths(journey: Journey, page: Page, step: string): Promise<void> {
  await page.setViewportSize(WIDE);
  await journey.step(page, `${step} 1366`);
  await page.setViewportSize(PHONE);
  await journey.step(page, `${step} 390`);
  // Nothing may run off a phone's screen: the page itself never scrolls sideways.
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  expect({ step, overflow }).toEqual({ step, overflow: 0 });
  await page.setViewportSize(WIDE);
}

describe('pages at both widths (real browser)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ logFile: path.join(RESULTS_DIR, 'server-pages.log') });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServerCleanly(server);
  });

  test('journey 6: guided start, call list, calibration picker, audit log, supervisor and CSR pages', async () => {
    const journey = new Journey('6-pages-both-widths');
    const { context, page } = await newSession(browser, server.baseUrl);
    journey.watch(page, 'admin');
    try {
      await page.goto('/setup');
      // On a machine this busy, storing the demo's recordings can take minutes: wait for it, however long.
      await page.getByLabel('Username').fill(ADMIN.username);
      await page.getByLabel('Your name').fill(ADMIN.displayName);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByLabel(/Load demo data/).setChecked(true);
      await Promise.all([
        page.waitForURL('**/setup/done', { timeout: 480_000 }),
        page.getByRole('button', { name: 'Create administrator' }).click({ timeout: 480_000 }),
      ]);
      await page.goto('/');
      const steps = page.locator('.guided-steps li');
      await expect(steps.count()).resolves.toBe(4);
      // The demo makes the org, its people and a rubric; its calls are not a phone system.
      await expect(page.locator('li[data-step="phone"]').getAttribute('class')).resolves.toBe('step-todo');
      await expect(page.locator('li[data-step="org"]').getAttribute('class')).resolves.toBe('step-done');
      await atBothWidths(journey, page, 'admin home guided start');

      // Call list: a filter as a removable chip, a saved view, keyboard j/k and Enter.
      await page.goto('/calls?recording=with');
      const chip = page.locator('ul.chips a.chip');
      await expect(chip.count()).resolves.toBe(1);
      await page.getByLabel('Name for this view').fill('With recording');
      await Promise.all([page.waitForURL('**/calls?**'), page.getByRole('button', { name: 'Save view' }).click()]);
      await expect(page.locator('.saved-views a', { hasText: 'With recording' }).count()).resolves.toBe(1);
      await atBothWidths(journey, page, 'call list with a chip and a saved view');
      await page.locator('body').press('j');
      await expect(page.locator('tr.row-current').count()).resolves.toBe(1);
      const callId = await page.locator('tr.row-current').getAttribute('data-call-id');
      await Promise.all([page.waitForURL(`**/calls/${callId}`), page.locator('body').press('Enter')]);
      await page.goBack();
      await chip.first().click();
      await page.waitForURL((url) => !url.search.includes('recording=with'));

      await page.goto('/calibration/new');
      await expect(page.locator('#picker-count').textContent()).resolves.toContain('Only calls with a recording');
      await atBothWidths(journey, page, 'calibration picker');

      await page.goto('/admin/audit');
      await atBothWidths(journey, page, 'audit log');

      // Call topics: a new topic's condition tried on the last analysed calls before it is saved.
      await page.goto('/admin/topics');
      await page.locator('#name').fill('Address change');
      await page.locator('#rule').fill('{"phrase": {"any_of": ["address", "moved house"]}}');
      await Promise.all([
        page.waitForURL('**/admin/topics/dry-run'),
        page.getByRole('button', { name: 'Try it' }).click(),
      ]);
      await expect(page.locator('#dry-run h2').textContent()).resolves.toBe('Dry run');
      // The demo's verification calls mention the address: the dry run lists them, each a link to its call.
      await expect(page.locator('ul[data-dry-run="tagged"] li a').count()).resolves.toBeGreaterThan(0);
      await atBothWidths(journey, page, 'topic dry run');

      // Settings, with the review queue's risk limits.
      await page.goto('/admin/settings');
      await expect(page.locator('#risk_dead_air_s').count()).resolves.toBe(1);
      await atBothWidths(journey, page, 'settings with risk limits');
      await context.close();

      const sup = await signIn(browser, server.baseUrl, 'sup.sam', DEMO_PASSWORD, journey);
      await atBothWidths(journey, sup.page, 'supervisor home');
      await sup.page.goto('/evaluations');
      await atBothWidths(journey, sup.page, 'scoring queue');
      await sup.page.goto('/disputes');
      await atBothWidths(journey, sup.page, 'dispute queue');
      await sup.context.close();

      const csr = await signIn(browser, server.baseUrl, 'csr.dana', DEMO_PASSWORD, journey);
      await atBothWidths(journey, csr.page, 'csr home');
      await csr.page.goto('/scorecards');
      await atBothWidths(journey, csr.page, 'csr scorecards');
      const first = csr.page.locator('main table a[href^="/evaluations/"]').first();
      if ((await first.count()) === 1) {
        await first.click();
        await atBothWidths(journey, csr.page, 'csr scorecard');
      }
      await csr.context.close();
    } finally {
      await context.close().catch(() => undefined);
    }
    journey.finish();
  }, 900_000);
});
