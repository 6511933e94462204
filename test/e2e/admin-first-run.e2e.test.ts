// Journey 4: the administrator's first run, on a brand-new installation (its own server and data folder).
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, newSession } from './harness/browser';
import { ADMIN, completeSetup, DEMO_PASSWORD, signIn } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { startServer, stopServerCleanly, type RunningServer } from './harness/server';

const RUBRIC_NAME = 'E2E phone etiquette';

describe('admin first run (real browser)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ logFile: path.join(RESULTS_DIR, 'server-admin-first-run.log') });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServerCleanly(server);
  });

  test('journey 4: the admin sets up Callscore with demo data, then builds and publishes a rubric', async () => {
    const journey = new Journey('4-admin-first-run');
    const { context, page } = await newSession(browser, server.baseUrl);
    journey.watch(page, ADMIN.username);
    try {
      // A new installation sends every page to the setup form.
      await page.goto('/');
      expect(new URL(page.url()).pathname).toBe('/setup');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome to Callscore');
      await journey.step(page, 'sent to setup');

      const people = await completeSetup(page, { demo: true, journey });
      expect(new URL(page.url()).pathname).toBe('/setup/done');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Callscore is ready');
      await expect(page.getByRole('heading', { name: 'Demo accounts' }).isVisible()).resolves.toBe(true);
      await expect(page.locator('main code', { hasText: DEMO_PASSWORD }).count()).resolves.toBe(1);
      expect(people.map((p) => p.username).sort()).toEqual(
        ['csr.dana', 'csr.lee', 'csr.omar', 'csr.priya', 'manager.maria', 'sup.sam', 'sup.sofia'].sort(),
      );
      expect(people.find((p) => p.username === 'sup.sam')).toMatchObject({
        role: 'supervisor',
        team: 'Returns & Refunds',
      });
      await journey.step(page, 'demo accounts listed');

      // The setup page is gone for good once an admin exists.
      const again = await page.goto('/setup');
      expect(again?.status()).toBe(404);
      await journey.step(page, 'setup page gone');

      // Rubrics → New rubric.
      await page.goto('/');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.locator('summary', { hasText: 'Quality' }).click();
      await nav.getByRole('link', { name: 'Rubrics' }).click();
      await page.waitForURL('**/rubrics');
      await expect(page.getByRole('link', { name: 'Standard call quality' }).isVisible()).resolves.toBe(true);
      await journey.step(page, 'rubric list');
      await page
        .getByRole('button', { name: 'New rubric' })
        .or(page.getByRole('link', { name: 'New rubric' }))
        .click();
      await page.waitForURL('**/rubrics/new');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('New rubric');
      await journey.step(page, 'empty builder');

      await page.getByLabel('Name', { exact: true }).fill(RUBRIC_NAME);
      await page.getByLabel('Pass mark (%)').fill('80');
      await page.locator('#s0_title').fill('Opening');
      await page.locator('#s0_i0_prompt').fill('Used the company greeting');
      await page.locator('#s0_i0_guidance').fill('Opens with "Thank you for calling Acme Home Goods".');

      // "Add an item to this section": the server re-renders the form with what was typed kept.
      await Promise.all([
        page.waitForURL('**/rubrics'), // the builder posts to /rubrics and answers with the re-rendered form
        page.getByRole('button', { name: 'Add an item to this section' }).click(),
      ]);
      await expect(page.locator('#s0_i1_prompt').count()).resolves.toBe(1);
      await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(RUBRIC_NAME);
      await expect(page.locator('#s0_title').inputValue()).resolves.toBe('Opening');
      await expect(page.locator('#s0_i0_prompt').inputValue()).resolves.toBe('Used the company greeting');
      await journey.step(page, 'second item added');

      await page.locator('#s0_i1_prompt').fill('Tone of the conversation');
      // Choosing "Choice of options" makes builder.js ask the server to re-render with option rows.
      await Promise.all([page.waitForEvent('load'), page.locator('#s0_i1_type').selectOption('choice')]);
      await expect(page.locator('#s0_i1_type').inputValue()).resolves.toBe('choice');
      await expect(page.locator('#s0_i1_prompt').inputValue()).resolves.toBe('Tone of the conversation');
      await expect(page.locator('.builder-options').count()).resolves.toBe(1);
      await journey.step(page, 'choice item with option rows');

      const optionRows = page.locator('.builder-options .option-row');
      const shownAfterTypeChange = await optionRows.count();
      expect(shownAfterTypeChange).toBeGreaterThanOrEqual(1);
      await page.locator('#s0_i1_o0_label').fill('Warm and professional');
      await page.locator('#s0_i1_o0_points').fill('2');
      // "Add option" re-renders server-side with one more row and keeps the first one.
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Add option' }).click()]);
      await expect(optionRows.count()).resolves.toBe(shownAfterTypeChange + 1);
      await expect(page.locator('#s0_i1_o0_label').inputValue()).resolves.toBe('Warm and professional');
      await page.locator('#s0_i1_o1_label').fill('Curt');
      await page.locator('#s0_i1_o1_points').fill('0');
      // Exactly two options: drop any extra blank rows with their "Remove" buttons.
      while ((await optionRows.count()) > 2) {
        await Promise.all([
          page.waitForEvent('load'),
          optionRows.last().getByRole('button', { name: 'Remove' }).click(),
        ]);
      }
      await expect(optionRows.count()).resolves.toBe(2);
      await expect(page.locator('#s0_i1_o1_label').inputValue()).resolves.toBe('Curt');
      await journey.step(page, 'two options filled in');

      await Promise.all([
        page.waitForURL(/\/rubrics\/\d+$/),
        page.getByRole('button', { name: 'Save and publish' }).click(),
      ]);
      await expect(page.locator('main .flash').first().textContent()).resolves.toContain(
        `${RUBRIC_NAME} v1 is published`,
      );
      const heading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
      expect(heading.replace(/\s+/g, ' ')).toContain(RUBRIC_NAME);
      expect(heading).toContain('published');
      await expect(page.getByRole('heading', { name: 'Opening' }).isVisible()).resolves.toBe(true);
      await expect(page.getByText('Warm and professional (2) / Curt (0)').isVisible()).resolves.toBe(true);
      await expect(page.getByText('Used the company greeting').isVisible()).resolves.toBe(true);
      await journey.step(page, 'rubric published');

      // Supervisors can now choose it: it is listed among the published rubrics.
      await page.goto('/rubrics');
      const row = page.locator('tbody tr', { has: page.getByRole('link', { name: RUBRIC_NAME }) });
      await expect(row.locator('.badge').textContent()).resolves.toBe('published');
      await journey.step(page, 'rubric list with the new rubric');
    } finally {
      await context.close();
    }
    journey.finish();
  });
  test('the admin imports an ACD export on the import page and follows it to its summary', async () => {
    const journey = new Journey('4b-admin-acd-import');
    const { context, page } = await signIn(browser, server.baseUrl, ADMIN.username, ADMIN.password, journey);
    try {
      // 6,000 lines for the demo CSRs, and one refused (an agent nobody knows).
      const agents = ['csr.dana', 'csr.lee', 'csr.omar', 'csr.priya'];
      const lines = ['external_id,agent,started_at,direction,category,queue_wait_s,hold_s,duration_s,csat'];
      for (let i = 0; i < 6000; i += 1) {
        const day = String(1 + (i % 20)).padStart(2, '0');
        lines.push(
          `e2e-acd-${i},${agents[i % 4]},2026-11-${day}T10:00:00Z,inbound,billing,${i % 90},${i % 30},${60 + (i % 600)},`,
        );
      }
      lines.push('e2e-acd-x,nobody.known,2026-11-02T10:00:00Z,inbound,billing,1,0,60,');
      await page.goto('/calls/import');
      await page.getByLabel('File', { exact: true }).setInputFiles({
        name: 'acd-export.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`${lines.join('\n')}\n`),
      });
      await journey.step(page, 'import form with a file');
      await Promise.all([
        page.waitForURL(/\/calls\/import\/[a-f0-9]{32}$/),
        page.getByRole('button', { name: 'Import' }).click(),
      ]);
      // The page follows the import by itself (script polling the progress) until the summary replaces it.
      // On a quick machine the import may be over before the page is drawn: look at the bar if it is there.
      if (await page.locator('progress').isVisible()) await journey.step(page, 'import progress');
      await page.getByText('6,000 calls added').waitFor({ timeout: 60_000 });
      await expect(page.getByRole('status').first().textContent()).resolves.toMatch(
        /6,000 calls added, 0 already there, 1 line refused/,
      );
      await expect(page.getByRole('cell', { name: 'No CSR named nobody.known.' }).isVisible()).resolves.toBe(true);
      await journey.step(page, 'import summary');
    } finally {
      await context.close();
    }
    journey.finish();
  });
});
