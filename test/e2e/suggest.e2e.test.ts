// Suggest mode in a real browser on the demo installation (issue 16): sup.sam opens a scoring form prefilled
// with the standard rubric's suggestions (the very answers of the API), follows a piece of evidence (the player
// seeks there and the transcript line is marked), overrides one suggested answer, submits, and the rule's
// accuracy on the rubric page now counts that call, with the call among the disagreements.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newSession } from './harness/browser';
import { completeSetup, DEMO_PASSWORD, signIn } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { waitForAudioMetadata, waitForPlayheadBetween } from './harness/media';
import { startServer, stopServerCleanly, type RunningServer } from './harness/server';

const RUBRIC = 'Standard call quality';
const SHOTS = process.env.SHOTS_DIR ?? path.join(RESULTS_DIR, 'suggest-shots');

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
}

/** The n of the rule's accuracy row of an item on the rubric page. */
async function accuracyN(page: Page, rubricId: number, itemId: string): Promise<number> {
  await page.goto(`/rubrics/${rubricId}`);
  return Number(await page.locator(`[data-accuracy-item="${itemId}"] td[data-n]`).textContent());
}

describe('suggest mode (real browser, demo data)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ logFile: path.join(RESULTS_DIR, 'server-suggest.log') });
    browser = await launchBrowser();
    const { context, page } = await newSession(browser, server.baseUrl);
    try {
      await completeSetup(page, { demo: true });
    } finally {
      await context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stopServerCleanly(server);
  });

  test('a supervisor confirms and overrides suggestions; the rule accuracy counts the call', async () => {
    const journey = new Journey('suggest-mode');
    const { context, page } = await signIn(browser, server.baseUrl, 'sup.sam', DEMO_PASSWORD, journey);
    try {
      // The demo reuses four sample recordings; one of them (no greeting) gives only answers without evidence
      // lines. Open queued calls until a form shows a piece of evidence to follow (at most one per sample).
      for (let attempt = 0; attempt < 6; attempt += 1) {
        await page.goto('/evaluations');
        const row = page.locator('section[aria-labelledby="queue-heading"] tbody tr').nth(attempt);
        await row.getByLabel('Rubric').selectOption({ label: RUBRIC });
        await Promise.all([
          page.waitForURL(/\/evaluations\/\d+\/score$/),
          row.getByRole('button', { name: 'Score' }).click(),
        ]);
        if ((await page.locator('.suggestion button.evidence').count()) > 0) break;
      }
      const evaluationId = Number(/\/evaluations\/(\d+)\/score$/.exec(page.url())?.[1]);
      const evaluation = (await (await page.request.get(`/api/v1/evaluations/${evaluationId}`)).json()) as {
        call_id: number;
        rubric_id: number;
      };
      const api = (await (
        await page.request.get(`/api/v1/calls/${evaluation.call_id}/suggestions?rubric_id=${evaluation.rubric_id}`)
      ).json()) as { answers: Array<{ item_id: number; value: string | null }> };
      await waitForAudioMetadata(page);
      await journey.step(page, 'prefilled scoring form');
      await shoot(page, 'scoring-form-prefilled');

      // The prefilled answers are exactly the API's suggestions; items without a rule are empty.
      const prefilled = (await page.evaluate(`Array.from(document.querySelectorAll('[data-item]')).map(function (n) {
        var c = n.querySelector('input[type=radio]:checked');
        return [n.getAttribute('data-item'), c ? c.value : null, !!n.querySelector('.suggestion')];
      })`)) as Array<[string, string | null, boolean]>;
      const suggested = new Map(api.answers.map((a) => [String(a.item_id), a.value]));
      const withValue = api.answers.filter((a) => a.value !== null);
      expect(withValue.length).toBeGreaterThan(0);
      for (const [itemId, value, marked] of prefilled) {
        expect(value).toBe(suggested.has(itemId) ? suggested.get(itemId) : null);
        expect(marked).toBe(suggested.has(itemId));
      }

      // Follow a piece of evidence: the player seeks there and the line is brought forward.
      const evidence = page.locator('.suggestion button.evidence').first();
      const at = Number(await evidence.getAttribute('data-seek'));
      await evidence.click();
      await waitForPlayheadBetween(page, at - 0.05, at + 3);
      if ((await evidence.getAttribute('data-evidence-kind')) === 'line') {
        await page.waitForSelector('[data-transcript] li.cue.evidence-focus', { timeout: 5_000 });
      }
      await journey.step(page, 'evidence followed', { a11y: false });
      await page.locator('[data-action="toggle"]').click(); // pause

      // Override the first suggested answer; the mark says it changed.
      const target = withValue[0];
      const item = page.locator(`[data-item="${target?.item_id}"]`);
      const other = item.locator(`input[type=radio]:not([value="${target?.value}"]):not([value="na"])`).first();
      await item.locator(`label:has(input[value="${await other.getAttribute('value')}"])`).click();
      await expect(item.locator('.suggestion').getAttribute('class')).resolves.toContain('changed');
      await item.locator('textarea').fill('The rule missed it: listened to the whole call.');

      // Answer what the rules left open with full marks (or N/A), then submit.
      for (const [itemId, value] of prefilled) {
        if (value !== null) continue;
        const node = page.locator(`[data-item="${itemId}"]`);
        // Full marks: "yes", the top of a scale, or the option worth the most points ("Label (n)").
        const choices = await node.locator('label:has(input[type=radio]:not([value="na"]))').evaluateAll((labels) =>
          labels.map((l) => {
            const value = l.querySelector('input')?.getAttribute('value') ?? '';
            const points = /\((\d+)\)\s*$/.exec(l.textContent ?? '');
            return { value, worth: value === 'yes' ? 1e9 : points ? Number(points[1]) : Number(value) };
          }),
        );
        const best = choices.reduce((a, b) => (b.worth > a.worth ? b : a)).value;
        await node.locator(`label:has(input[value="${best}"])`).first().click();
      }
      const before = await accuracyN(await context.newPage(), evaluation.rubric_id, String(target?.item_id));
      await Promise.all([
        page.waitForURL(new RegExp(`/evaluations/${evaluationId}$`)),
        page.getByRole('button', { name: 'Submit scorecard' }).click(),
      ]);

      // The rule's accuracy on the rubric page now counts this call, which is a disagreement.
      const after = await accuracyN(page, evaluation.rubric_id, String(target?.item_id));
      expect(after).toBe(before + 1);
      await page.locator('#accuracy-heading').scrollIntoViewIfNeeded();
      await journey.step(page, 'rubric page accuracy');
      await shoot(page, 'rubric-accuracy');
      await page.goto(`/reports/auto-qa/disagreements?rubric_id=${evaluation.rubric_id}`);
      const first = page.locator('ol.disagreements li').first();
      await expect(first.locator('a').first().getAttribute('href')).resolves.toMatch(
        new RegExp(`^/calls/${evaluation.call_id}(#t=\\d+)?$`),
      );
      await journey.step(page, 'disagreements');
      await shoot(page, 'disagreements');
    } finally {
      await context.close();
    }
    journey.finish();
  });
});
