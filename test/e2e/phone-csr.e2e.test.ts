// Journeys 7–9 on one brand-new installation: (7) the first run shows its busy state while the demo data
// loads and the admin's home then shows the guided start; (8) the admin bulk-uploads the project's own sample
// calls with their transcripts and follows the summary's links; (9) a CSR on a phone (390×844) acknowledges one
// scorecard, disputes an item of another and opens a coaching task. Axe on every page at 390 and 1366 px.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newSession } from './harness/browser';
import { ADMIN, DEMO_PASSWORD, signIn } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { PROJECT_ROOT, startServer, stopServerCleanly, type RunningServer } from './harness/server';

const WIDE = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
/** The repository's copy of the sample calls (never ../shared: the journey runs from a checkout alone). */
const SAMPLES_DIR = path.join(PROJECT_ROOT, 'samples/calls');

/** Screenshot and axe at 1366 then 390 px; the page is left at the phone's width. */
async function atBothWidths(journey: Journey, page: Page, step: string): Promise<void> {
  await page.setViewportSize(WIDE);
  await journey.step(page, `${step} 1366`);
  await page.setViewportSize(PHONE);
  await journey.step(page, `${step} 390`);
  // Nothing may run off a phone's screen: the page itself never scrolls sideways.
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  expect({ step, overflow }).toEqual({ step, overflow: 0 });
}

/** The rendered height of the first element the selector finds, in CSS pixels. */
async function heightOf(page: Page, selector: string): Promise<number> {
  const box = await page.locator(selector).first().boundingBox();
  return box?.height ?? 0;
}

interface ScorecardRow {
  href: string;
  score: string;
  review: string;
}

async function scorecardRows(page: Page): Promise<ScorecardRow[]> {
  return (await page.evaluate(`Array.from(document.querySelectorAll('main table tbody tr')).map(function (tr) {
    var cell = function (label) { var td = tr.querySelector('td[data-label="' + label + '"]'); return td ? td.textContent.trim() : ''; };
    return { href: tr.querySelector('a').getAttribute('href'), score: cell('Score'), review: cell('Your review') };
  })`)) as ScorecardRow[];
}

describe('first run, bulk upload and a CSR on a phone (real browser)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ logFile: path.join(RESULTS_DIR, 'server-phone-csr.log') });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServerCleanly(server);
  });

  test('journey 7: first run shows progress with the button disabled, then the guided start', async () => {
    const journey = new Journey('7-first-run-progress');
    const { context, page } = await newSession(browser, server.baseUrl);
    journey.watch(page, ADMIN.username);
    try {
      await page.goto('/');
      expect(new URL(page.url()).pathname).toBe('/setup');
      await page.getByLabel('Username').fill(ADMIN.username);
      await page.getByLabel('Your name').fill(ADMIN.displayName);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByLabel(/Load demo data/).setChecked(true);
      await expect(page.locator('#setup-progress').isVisible()).resolves.toBe(false);
      await atBothWidths(journey, page, 'setup form filled in');
      await page.setViewportSize(WIDE);

      // The first press is kept from navigating (a listener added after setup.js's own), so the busy state can
      // be looked at however quickly the server would answer; the form is then sent as it is.
      await page.evaluate(`document.querySelector('form[data-busy-form]').addEventListener('submit', function (e) {
        e.preventDefault();
      })`);
      await page.getByRole('button', { name: 'Create administrator' }).click();
      const progress = page.locator('#setup-progress');
      await progress.waitFor({ state: 'visible', timeout: 10_000 });
      await expect(progress.locator('progress').count()).resolves.toBe(1);
      const button = page.locator('form[data-busy-form] button[type="submit"]');
      await expect(button.isDisabled()).resolves.toBe(true);
      await expect(button.getAttribute('aria-busy')).resolves.toBe('true');
      await expect(button.textContent()).resolves.toContain('loading demo data');
      await page.getByRole('button', { name: /Setting up/ }).click({ force: true, timeout: 2_000 });
      await expect(page.locator('#setup-progress').isVisible()).resolves.toBe(true); // no second submission
      await atBothWidths(journey, page, 'busy while the demo data loads');
      await page.setViewportSize(WIDE);
      await Promise.all([
        page.waitForURL('**/setup/done', { timeout: 600_000 }),
        page.evaluate(`document.querySelector('form[data-busy-form]').submit()`),
      ]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Callscore is ready');

      await page.goto('/');
      await expect(page.locator('.guided-steps li').count()).resolves.toBe(4);
      await expect(page.locator('li[data-step="org"]').getAttribute('class')).resolves.toBe('step-done');
      await expect(page.locator('li[data-step="phone"]').getAttribute('class')).resolves.toBe('step-todo');
      await atBothWidths(journey, page, 'admin home with the guided start');
    } finally {
      await context.close();
    }
    journey.finish();
  }, 900_000);

  test('journey 8: the admin uploads the sample calls with transcripts and follows a link of the summary', async () => {
    const journey = new Journey('8-bulk-upload-samples');
    const { context, page } = await signIn(browser, server.baseUrl, ADMIN.username, ADMIN.password, journey);
    try {
      const files = fs
        .readdirSync(SAMPLES_DIR)
        .filter((f) => /\.(wav|vtt)$/.test(f))
        .map((f) => path.join(SAMPLES_DIR, f));
      expect(files).toHaveLength(8);
      await page.goto('/calls/bulk');
      await page.getByLabel('CSV of the calls').setInputFiles(path.join(SAMPLES_DIR, 'calls.csv'));
      await page.getByLabel('Recordings and transcripts').setInputFiles(files);
      await atBothWidths(journey, page, 'bulk upload form with the samples');
      await page.setViewportSize(WIDE);
      await page.getByRole('button', { name: 'Upload' }).click();
      const summary = page.locator('[data-bulk-summary]');
      await summary.filter({ hasText: /stored, .* refused\./ }).waitFor({ timeout: 120_000 });
      await expect(summary.textContent()).resolves.toBe('4 stored, 0 already there, 0 refused.');
      const links = page.locator('[data-bulk-list] a[href^="/calls/"]');
      await expect(links.allTextContents()).resolves.toEqual(
        expect.arrayContaining(
          ['call-good-returns', 'call-long-hold', 'call-no-greeting', 'call-skipped-verification'].map((id) =>
            expect.stringContaining(id),
          ),
        ),
      );
      await atBothWidths(journey, page, 'bulk upload summary');
      await page.setViewportSize(WIDE);

      await Promise.all([
        page.waitForURL(/\/calls\/\d+$/),
        page.locator('[data-bulk-list] a', { hasText: 'call-good-returns' }).click(),
      ]);
      // The call came with its recording and its transcript (matched by name, like the recording).
      await expect(page.locator('audio#call-audio').count()).resolves.toBe(1);
      await expect(page.locator('main').textContent()).resolves.toMatch(/Thank you for calling/i);
      await atBothWidths(journey, page, 'an uploaded call');
    } finally {
      await context.close();
    }
    journey.finish();
  }, 600_000);

  test('journey 9: a CSR on a phone acknowledges a scorecard, disputes an item and opens coaching', async () => {
    const journey = new Journey('9-csr-on-a-phone');
    const { context, page } = await signIn(browser, server.baseUrl, 'csr.dana', DEMO_PASSWORD, journey);
    try {
      await page.setViewportSize(PHONE);
      await atBothWidths(journey, page, 'csr home');
      await page.goto('/scorecards');
      await atBothWidths(journey, page, 'my scorecards');
      const toReview = (await scorecardRows(page)).filter((r) => r.review === 'to review');
      const disputable = toReview.filter((r) => r.score !== '100.0%');
      expect(disputable.length).toBeGreaterThanOrEqual(2);
      const [first, second] = disputable as [ScorecardRow, ScorecardRow];

      // Acknowledge the first, from the phone.
      await page.goto(first.href);
      await atBothWidths(journey, page, 'a released scorecard');
      const acknowledge = page.getByRole('button', { name: 'I have reviewed this scorecard' });
      expect(await heightOf(page, 'form[action$="/acknowledge"] button')).toBeGreaterThanOrEqual(44);
      await page.getByLabel(/Comment for your supervisor/).fill('Read on my phone, thanks.');
      await Promise.all([page.waitForURL(`**${first.href}`), acknowledge.click()]);
      await expect(page.locator('#ack-heading + p').textContent()).resolves.toContain(
        'You acknowledged this scorecard',
      );
      await atBothWidths(journey, page, 'scorecard acknowledged');

      // Dispute one item of the second.
      await page.goto(second.href);
      expect(await heightOf(page, '.dispute-open [role="button"]')).toBeGreaterThanOrEqual(44);
      await Promise.all([
        page.waitForURL(`**${second.href}/dispute`),
        page.getByRole('button', { name: 'Dispute items' }).click(),
      ]);
      await atBothWidths(journey, page, 'dispute form');
      await page.locator('input[name="item_ids"]').first().check();
      await page.getByLabel('Why do you dispute these items?').fill('The customer was verified at the start.');
      await Promise.all([
        page.waitForURL(`**${second.href}`),
        page.getByRole('button', { name: 'Send the dispute' }).click(),
      ]);
      await expect(page.locator('#disputes-heading ~ .flash').textContent()).resolves.toContain('You disputed 1 item');
      await atBothWidths(journey, page, 'scorecard in review');

      // A coaching task.
      await page.goto('/coaching');
      await atBothWidths(journey, page, 'coaching list');
      const task = page.locator('main table a[href^="/coaching/"]').first();
      await Promise.all([page.waitForURL(/\/coaching\/\d+$/), task.click()]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Coaching for');
      await atBothWidths(journey, page, 'a coaching task');
      await page.goto('/profile');
      await atBothWidths(journey, page, 'profile');
    } finally {
      await context.close();
    }
    journey.finish();
  }, 600_000);
});
