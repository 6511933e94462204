// Journeys 1 and 2 on one installation set up through the real /setup page with the demo data:
// the supervisor scores a call with the keyboard (a critical fail opens a coaching task), and the call's CSR
// sees nothing until the scorecard is released, then reviews and acknowledges it.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newSession, type Session } from './harness/browser';
import { completeSetup, DEMO_PASSWORD, signIn, type DemoAccount } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { audioState, waitForAudioMetadata, waitForPlayheadBetween } from './harness/media';
import { startServer, stopServerCleanly, type RunningServer } from './harness/server';

const RUBRIC = 'Standard call quality';
const SUPERVISOR = 'sup.sam';
/** The time stamp the supervisor writes in the verification comment; player.js turns it into a seek button. */
const COMMENT_STAMP = '00:05';
const VERIFICATION_COMMENT = `Confirmed the return at ${COMMENT_STAMP} before checking the address on the account.`;

/**
 * Keys pressed on each item of the standard rubric, in order (number keys answer the focused item: on yes/no
 * 1 = Yes, 2 = No, 0 = N/A; on a choice the option's position; on a scale the value).
 */
const KEY_PLAN: Array<{ prompt: RegExp; key: string; label: RegExp; comment?: string }> = [
  { prompt: /Used the company greeting/, key: '1', label: /^Yes$/ },
  { prompt: /Gave their own name/, key: '1', label: /^Yes$/ },
  { prompt: /Offered help/, key: '1', label: /^Yes$/ },
  { prompt: /Verified the caller/, key: '2', label: /^No$/, comment: VERIFICATION_COMMENT },
  { prompt: /Followed the returns and refunds policy/, key: '1', label: /^Fully followed/ },
  { prompt: /Gave accurate information/, key: '4', label: /^4$/ },
  { prompt: /Asked permission before placing the customer on hold/, key: '0', label: /^N\/A$/ },
  { prompt: /Resolved the issue or escalated it correctly/, key: '1', label: /^Resolved on this call/ },
  { prompt: /Recapped what happens next/, key: '1', label: /^Yes$/ },
  { prompt: /Thanked the customer/, key: '1', label: /^Yes$/ },
];
// Greeting 3/3, Verification 0/1 (critical), Policy 6/6 (hold N/A), Resolution 5/5; weights 1, 2, 3, 2.
const EXPECTED_RAW = '75.0%';

interface CsrBeforeRelease {
  scorecardsText: string;
  scorecardRows: number;
  scorecardLinks: string[];
  scorecardStatus: number | undefined;
  scorecardText: string;
  missingStatus: number | undefined;
  missingText: string;
  scoreFormStatus: number | undefined;
}

/** What journey 1 hands to journey 2. */
const shared: {
  people: DemoAccount[];
  evaluationId?: number;
  agentId?: number;
  callId?: number;
  rubricId?: number;
  csr?: DemoAccount;
  csrSession?: Session;
  before?: CsrBeforeRelease;
  submitted?: boolean;
} = { people: [] };

/** The focused element, described for assertions: its id, name, value and the data-item it sits in. */
async function focused(
  page: Page,
): Promise<{ tag: string; id: string; name: string; value: string; item: string | null }> {
  return (await page.evaluate(`(function () {
    var el = document.activeElement;
    var item = el && el.closest ? el.closest('[data-item]') : null;
    return { tag: el ? el.tagName.toLowerCase() : '', id: el ? el.id : '', name: el ? el.getAttribute('name') || '' : '',
             value: el ? el.value || '' : '', item: item ? item.getAttribute('data-item') : null };
  })()`)) as { tag: string; id: string; name: string; value: string; item: string | null };
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits until the scoring page's autosave is quiet: no PUT …/draft started or running for 1.5 s. */
async function settleAutosave(page: Page): Promise<void> {
  let running = 0;
  let lastActivity = Date.now();
  const isDraft = (url: string, method: string) => method === 'PUT' && /\/evaluations\/\d+\/draft$/.test(url);
  const started = (r: { url(): string; method(): string }) => {
    if (!isDraft(r.url(), r.method())) return;
    running += 1;
    lastActivity = Date.now();
  };
  const ended = (r: { url(): string; method(): string }) => {
    if (!isDraft(r.url(), r.method())) return;
    running -= 1;
    lastActivity = Date.now();
  };
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  try {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (running > 0 || Date.now() - lastActivity < 1_500)) {
      await page.waitForTimeout(100);
    }
  } finally {
    page.off('request', started);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
  }
}

describe('scoring and review (real browser, demo data)', () => {
  let server: RunningServer;
  let browser: Browser;
  let journey2: Journey;

  beforeAll(async () => {
    server = await startServer({ logFile: path.join(RESULTS_DIR, 'server-scoring.log') });
    browser = await launchBrowser();
    const { context, page } = await newSession(browser, server.baseUrl);
    try {
      shared.people = await completeSetup(page, { demo: true });
    } finally {
      await context.close();
    }
    expect(shared.people.length).toBeGreaterThan(0);
    // Created here so journey 1 can add the CSR's "before release" screenshots to journey 2's folder.
    journey2 = new Journey('2-csr-reviews-scorecard');
  });

  afterAll(async () => {
    await shared.csrSession?.context.close().catch(() => undefined);
    await browser?.close();
    await stopServerCleanly(server);
  });

  /** Journey 2's first half, run while journey 1's draft exists but is not submitted (so not released). */
  async function csrLooksBeforeRelease(evaluationId: number, csr: DemoAccount): Promise<void> {
    shared.csrSession = await signIn(browser, server.baseUrl, csr.username, DEMO_PASSWORD, journey2);
    const { page } = shared.csrSession;
    await journey2.step(page, 'csr home before release');
    await page.goto('/scorecards');
    const before: CsrBeforeRelease = {
      scorecardsText: await text(page, 'main'),
      scorecardRows: await page.locator('main table tbody tr').count(),
      scorecardLinks: await page
        .locator('main table tbody tr a')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? '')),
      scorecardStatus: undefined,
      scorecardText: '',
      missingStatus: undefined,
      missingText: '',
      scoreFormStatus: undefined,
    };
    await journey2.step(page, 'no scorecards before release');
    before.scorecardStatus = (await page.goto(`/evaluations/${evaluationId}`))?.status();
    before.scorecardText = await text(page, 'main');
    await journey2.step(page, 'scorecard is 404 before release');
    // Exactly what a scorecard that does not exist looks like: nothing tells the CSR a call is being scored.
    before.missingStatus = (await page.goto(`/evaluations/${evaluationId + 1000}`))?.status();
    before.missingText = await text(page, 'main');
    before.scoreFormStatus = (await page.goto(`/evaluations/${evaluationId}/score`))?.status();
    shared.before = before;
  }

  test('journey 1: sup.sam scores a call by keyboard; a critical fail creates a coaching task', async () => {
    const journey = new Journey('1-supervisor-scores-call');
    const { context, page } = await signIn(browser, server.baseUrl, SUPERVISOR, DEMO_PASSWORD, journey);
    try {
      await journey.step(page, 'supervisor home');

      // Scoring → an unscored call of Sam's team, with the standard rubric.
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.locator('summary', { hasText: 'Quality' }).click();
      await nav.getByRole('link', { name: 'Scoring' }).click();
      await page.waitForURL('**/evaluations');
      await journey.step(page, 'scoring queue');
      const queueRows = page.locator('section[aria-labelledby="queue-heading"] tbody tr');
      expect(await queueRows.count()).toBeGreaterThan(0);
      const row = queueRows.first();
      const agentName = ((await row.locator('td').nth(1).textContent()) ?? '').trim();
      const teamName = ((await row.locator('td').nth(2).textContent()) ?? '').trim();
      expect(teamName).toBe('Returns & Refunds'); // Sam supervises this team only
      const csr = shared.people.find((p) => p.name === agentName && p.role === 'csr');
      expect(csr).toBeDefined();
      shared.csr = csr!;
      await row.getByLabel('Rubric').selectOption({ label: RUBRIC });
      await Promise.all([
        page.waitForURL(/\/evaluations\/\d+\/score$/),
        row.getByRole('button', { name: 'Score' }).click(),
      ]);
      const evaluationId = Number(/\/evaluations\/(\d+)\/score$/.exec(page.url())![1]);
      shared.evaluationId = evaluationId;
      await expect(text(page, 'main > p')).resolves.toContain(agentName);
      await expect(text(page, 'main > p')).resolves.toContain(`rubric ${RUBRIC}`);

      // The call's agent, from the API as Sam (this page's session): the CSR of journey 2.
      const evaluationJson = (await (await page.request.get(`/api/v1/evaluations/${evaluationId}`)).json()) as {
        agent_id: number;
        call_id: number;
        rubric_id: number;
        status: string;
      };
      expect(evaluationJson.status).toBe('draft');
      shared.agentId = evaluationJson.agent_id;
      shared.callId = evaluationJson.call_id;
      shared.rubricId = evaluationJson.rubric_id;

      // A transcript cue's time button seeks the recording to the cue's start.
      const metadata = await waitForAudioMetadata(page);
      expect(metadata.duration).toBeGreaterThan(10);
      const cueButtons = page.locator('[data-transcript] button.cue-time[data-seek]');
      expect(await cueButtons.count()).toBeGreaterThan(2);
      const cue = cueButtons.nth(2);
      const cueStart = Number(await cue.getAttribute('data-seek'));
      expect(cueStart).toBeGreaterThan(1);
      expect((await audioState(page)).currentTime).toBeLessThan(cueStart);
      await cue.click();
      const afterSeek = await waitForPlayheadBetween(page, cueStart - 0.05, cueStart + 3);
      expect(afterSeek.currentTime).toBeGreaterThanOrEqual(cueStart - 0.05);
      expect(afterSeek.currentTime).toBeLessThan(cueStart + 3);
      // The cue being spoken is highlighted once the playhead is in it.
      await page.waitForSelector('[data-transcript] li.cue.active[aria-current="true"]', { timeout: 5_000 });
      await expect(
        page.locator('[data-transcript] li.cue.active button.cue-time').getAttribute('data-seek'),
      ).resolves.toBe(String(cueStart));
      await journey.step(page, 'cue clicked and audio seeked');
      // K (the player's shortcut) pauses, with focus still on the cue button.
      if (!(await audioState(page)).paused) await page.keyboard.press('k');
      await expect(audioState(page).then((a) => a.paused)).resolves.toBe(true);

      // Keyboard-only scoring: n focuses the first unanswered item, number keys answer, ↓ moves on.
      const liveScore = page.locator('[data-live-score]');
      const verdict = page.locator('[data-live-verdict]');
      const itemNodes = page.locator('[data-score-form] [data-item]');
      const itemIds: string[] = [];
      for (let i = 0; i < (await itemNodes.count()); i += 1) {
        itemIds.push((await itemNodes.nth(i).getAttribute('data-item')) ?? '');
      }
      expect(itemIds).toHaveLength(KEY_PLAN.length);
      // The standard rubric is in suggest mode: the items its rules answer arrive prefilled, exactly as the
      // API's suggestions for this call, and marked; the other items are empty. Sam still answers every item.
      const suggestions = (await (
        await page.request.get(`/api/v1/calls/${shared.callId}/suggestions?rubric_id=${shared.rubricId}`)
      ).json()) as { answers: Array<{ item_id: number; value: string | null }> };
      const suggested = new Map(suggestions.answers.map((a) => [String(a.item_id), a.value]));
      expect([...suggested.values()].some((v) => v !== null)).toBe(true);
      for (const itemId of itemIds) {
        const checkedValue = await page
          .locator(`[data-item="${itemId}"] input[type=radio]:checked`)
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('value')));
        expect(checkedValue).toEqual(suggested.get(itemId) ? [suggested.get(itemId)] : []);
        await expect(page.locator(`[data-item="${itemId}"] .suggestion`).count()).resolves.toBe(
          suggested.has(itemId) ? 1 : 0,
        );
      }
      const initialScore = (await liveScore.textContent())?.trim();

      // n jumps to the first unanswered item; ↑ climbs back to the first item.
      await page.keyboard.press('n');
      for (let i = 0; i < itemIds.length && (await focused(page)).item !== itemIds[0]; i += 1) {
        await page.keyboard.press('ArrowUp');
      }
      let focus = await focused(page);
      expect(focus).toMatchObject({ tag: 'input', item: itemIds[0] });

      const scoresSeen: string[] = [];
      for (const [index, plan] of KEY_PLAN.entries()) {
        const itemId = itemIds[index];
        const item = page.locator(`[data-item="${itemId}"]`);
        await expect(item.locator('.prompt').textContent()).resolves.toMatch(plan.prompt);
        expect((await focused(page)).item).toBe(itemId);

        await page.keyboard.press(plan.key);
        const checked = item.locator('input[type=radio]:checked');
        await expect(checked.count()).resolves.toBe(1);
        await expect(checked.getAttribute('data-key')).resolves.toBe(plan.key);
        const choice = item.locator('input[type=radio]:checked + .choice');
        const keyHint = (await choice.locator('.key').textContent()) ?? '';
        expect(((await choice.textContent()) ?? '').trim().slice(keyHint.length).trim()).toMatch(plan.label);
        focus = await focused(page);
        expect(focus).toMatchObject({ tag: 'input', item: itemId, value: await checked.getAttribute('value') });
        scoresSeen.push(((await liveScore.textContent()) ?? '').trim());

        if (plan.comment) {
          // Tab from the radio group to this item's comment, type it, Shift+Tab back to the answer.
          await page.keyboard.press('Tab');
          expect(await focused(page)).toMatchObject({ tag: 'textarea', id: `c_${itemId}` });
          await page.keyboard.type(plan.comment);
          await page.keyboard.press('Shift+Tab');
          expect(await focused(page)).toMatchObject({ tag: 'input', item: itemId });
          await journey.step(page, `critical item answered no with comment`, { a11y: false });
        }
        if (index < KEY_PLAN.length - 1) await page.keyboard.press('ArrowDown');
      }
      await expect(page.locator(`#c_${itemIds[3]}`).inputValue()).resolves.toBe(VERIFICATION_COMMENT);

      // The live score follows the answers (it starts from the prefilled ones) and shows the critical fail.
      expect(scoresSeen[3]).toBe('0.0%');
      expect(initialScore).toMatch(/^(n\/a|\d+\.\d%)$/);
      await expect(liveScore.textContent()).resolves.toBe('0.0%');
      await expect(verdict.textContent()).resolves.toBe(`critical fail (raw ${EXPECTED_RAW})`);
      await expect(
        page.locator(`fieldset:has([data-item="${itemIds[3]}"]) output[data-section-score]`).textContent(),
      ).resolves.toBe('0.0%');

      // Autosave stored the draft.
      await settleAutosave(page);
      await expect(text(page, '[data-autosave-status]')).resolves.toMatch(/^Draft saved/);
      await journey.step(page, 'every item answered, live critical fail');

      // Journey 2, first half: the CSR cannot see the unsubmitted scorecard.
      await csrLooksBeforeRelease(evaluationId, shared.csr);

      // Submit: the standard rubric releases on submit; the fail opens a coaching task.
      await Promise.all([
        page.waitForURL(new RegExp(`/evaluations/${evaluationId}$`)),
        page.getByRole('button', { name: 'Submit scorecard' }).click(),
      ]);
      shared.submitted = true;
      await expect(text(page, 'main .flash')).resolves.toBe(
        'Scorecard submitted and released to the CSR. A coaching task was created.',
      );
      await expect(text(page, '.score-hero .big')).resolves.toBe('0.0%');
      await expect(text(page, '.score-hero')).resolves.toContain('critical fail');
      await expect(text(page, '.score-hero')).resolves.toContain(`raw score ${EXPECTED_RAW}`);
      await expect(text(page, 'main > p')).resolves.toContain('released');
      await journey.step(page, 'scorecard after submit');

      // The coaching task, through Sam's own session.
      const tasksResponse = await page.request.get('/api/v1/coaching-tasks');
      expect(tasksResponse.status()).toBe(200);
      const tasks = (await tasksResponse.json()) as {
        items: Array<{
          csr_id: number;
          evaluation_id: number;
          status: string;
          focus: Array<{ prompt: string; critical: boolean }>;
        }>;
      };
      const task = tasks.items.find((t) => t.evaluation_id === evaluationId);
      expect(task).toMatchObject({ csr_id: shared.agentId, status: 'open' });
      expect(task!.focus).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ prompt: expect.stringMatching(/Verified the caller/), critical: true }),
        ]),
      );
    } finally {
      await context.close();
    }
    journey.finish();
  });

  test('journey 2: the CSR sees the scorecard only once released, seeks from a comment and acknowledges', async () => {
    if (!shared.before || !shared.csrSession || !shared.csr || !shared.evaluationId) {
      throw new Error('journey 1 did not reach the point where the CSR looks before release');
    }
    const { page } = shared.csrSession;
    const { evaluationId, csr } = shared;

    // Before release (observed during journey 1, while Sam's draft existed).
    // The demo history has released scorecards of its own; the one being scored is not among them.
    expect(shared.before.scorecardLinks).not.toContain(`/evaluations/${shared.evaluationId}`);
    expect(shared.before.scorecardStatus).toBe(404);
    expect(shared.before.scorecardText).toContain('Not found');
    expect(shared.before.missingStatus).toBe(404);
    expect(shared.before.scorecardText).toBe(shared.before.missingText);
    // The scoring form is for staff only: 403 for the CSR's role (docs/API.md), before any lookup.
    expect(shared.before.scoreFormStatus).toBe(403);

    if (!shared.submitted) throw new Error('journey 1 did not submit the scorecard');
    // The CSR is the call's agent.
    const me = (await (await page.request.get('/api/v1/me')).json()) as { id: number; username: string };
    expect(me).toMatchObject({ id: shared.agentId, username: csr.username });

    // Released on submit: listed under My scorecards.
    await page.goto('/');
    await journey2.step(page, 'csr home after release');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My scorecards' }).click();
    await page.waitForURL('**/scorecards');
    const rows = page.locator('main table tbody tr');
    await expect(rows.count()).resolves.toBe(shared.before.scorecardRows + 1);
    const row = `main table tbody tr:has(a[href="/evaluations/${evaluationId}"])`;
    await expect(text(page, row)).resolves.toContain(RUBRIC);
    await expect(text(page, row)).resolves.toContain('critical fail');
    await expect(text(page, `${row} td:last-child`)).resolves.toBe('to review');
    await journey2.step(page, 'scorecard listed');

    await Promise.all([page.waitForURL(new RegExp(`/evaluations/${evaluationId}$`)), page.locator(`${row} a`).click()]);
    await expect(text(page, 'main > p')).resolves.toContain('released');
    await expect(text(page, '.score-hero')).resolves.toContain('critical fail');
    await expect(page.getByText(VERIFICATION_COMMENT, { exact: false }).count()).resolves.toBeGreaterThan(0);

    // The supervisor's "00:05" became a time-stamp button; it seeks the recording there.
    await waitForAudioMetadata(page);
    const stamp = page.locator('.time-stamp[data-seek]', { hasText: COMMENT_STAMP }).first();
    await expect(stamp.getAttribute('data-seek')).resolves.toBe('5');
    expect((await audioState(page)).currentTime).toBeLessThan(5);
    await stamp.click();
    const afterSeek = await waitForPlayheadBetween(page, 4.95, 8);
    expect(afterSeek.currentTime).toBeGreaterThanOrEqual(4.95);
    expect(afterSeek.currentTime).toBeLessThan(8);
    await journey2.step(page, 'comment time stamp seeked the audio');
    await page.keyboard.press('k'); // pause (focus is on the time-stamp button)

    // Acknowledge.
    await page.getByLabel(/Comment for your supervisor/).fill('Understood: I will verify the address first.');
    await Promise.all([
      page.waitForURL(new RegExp(`/evaluations/${evaluationId}$`)),
      page.getByRole('button', { name: 'I have reviewed this scorecard' }).click(),
    ]);
    await expect(text(page, 'main .flash')).resolves.toBe('Thank you: scorecard acknowledged.');
    await expect(text(page, 'main > p')).resolves.toContain('acknowledged');
    await expect(text(page, 'section[aria-labelledby="ack-heading"]')).resolves.toContain(
      'You acknowledged this scorecard on',
    );
    await expect(page.getByRole('button', { name: 'I have reviewed this scorecard' }).count()).resolves.toBe(0);
    await journey2.step(page, 'acknowledged');

    await page.goto('/scorecards');
    await expect(text(page, 'main table tbody tr td:last-child')).resolves.toBe('acknowledged');
    await journey2.step(page, 'scorecards list shows acknowledged');

    journey2.finish();
  });

  // Journey 3 (manager.maria books training within the budget) is in manager-training.e2e.test.ts.
});
