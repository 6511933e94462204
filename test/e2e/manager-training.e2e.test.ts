// Journey 3 on its own installation set up through the real /setup page with the demo data: the manager
// looks at a coaching task of one of her CSRs, then books a training course for three CSRs (after looking at
// the group price for four), checks the price and the budget on the review page, confirms, and sees the
// charge on the budget page with the committed and remaining figures moved by exactly the total.
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, newSession } from './harness/browser';
import { completeSetup, DEMO_PASSWORD, signIn, type DemoAccount } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { startServer, stopServerCleanly, type RunningServer } from './harness/server';

const MANAGER = 'manager.maria';
const DEPARTMENT = 'Customer Care';
const DEPARTMENT_TEAMS = ['Returns & Refunds', 'Orders & Billing'];
const COURSE = 'De-escalation essentials';
const COURSE_RULE = 'one free seat in every 4';
const OTHER_COURSE = 'Returns and refunds policy refresher';
/** The demo CSRs booked (three) and the fourth one added only to look at the group price. */
const BOOKED = ['csr.dana', 'csr.lee', 'csr.omar'];
const FOURTH = 'csr.priya';
// De-escalation essentials: 120.00 per seat, one free seat in every 4.
// 3 seats → 0 free → 3 × 120.00 = 360.00; 4 seats → 1 free → 3 × 120.00 = 360.00 (group discount 120.00).
const TOTAL_CENTS = 36_000;

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
/** Cents as the pages show money (formatMoney: en-US, USD), e.g. 500000 → "$5,000.00". */
function money(cents: number): string {
  return usd.format(cents / 100);
}

/** "$5,000.00" (or "−$1.00") → 500000 cents; throws on anything that is not an amount. */
function cents(shown: string): number {
  const match = /^([−-])?\$(\d{1,3}(?:,\d{3})*|\d+)\.(\d{2})$/.exec(shown.trim());
  if (!match) throw new Error(`not an amount: "${shown}"`);
  const value = Number(match[2].replace(/,/g, '')) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

function squash(value: string | null): string {
  return (value ?? '').replace(/\s+/g, ' ').trim();
}

async function text(page: Page, selector: string): Promise<string> {
  return squash(await page.locator(selector).first().textContent());
}

async function cellTexts(row: Locator): Promise<string[]> {
  return (await row.locator('th, td').allTextContents()).map(squash);
}

/** The review page's price table as [label, value] pairs, in the order shown. */
async function priceTable(page: Page): Promise<Array<[string, string]>> {
  const rows = page.locator('main table.price-table tbody tr');
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < (await rows.count()); i += 1) {
    const [label, value] = await cellTexts(rows.nth(i));
    pairs.push([label, value]);
  }
  return pairs;
}

interface BudgetRow {
  period: string;
  budget: number;
  committed: number;
  remaining: number;
  used: string;
}

interface BudgetPage {
  status: BudgetRow;
  chargesHeading: string;
  /** Each charge row's cells: date, period, kind, what, amount, by. */
  charges: string[][];
  csvHref: string;
}

/** Reads /budget as it is now: the department's status row and its list of charges. */
async function readBudget(page: Page): Promise<BudgetPage> {
  expect(new URL(page.url()).pathname).toBe('/budget');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Budget and spend');
  const statusRows = page.locator('main table').first().locator('tbody tr');
  // Maria manages exactly one department.
  await expect(statusRows.count()).resolves.toBe(1);
  const [department, period, budget, committed, remaining] = await cellTexts(statusRows.first());
  expect(department).toBe(DEPARTMENT);
  const used = (await statusRows.first().locator('progress').getAttribute('aria-label')) ?? '';
  const chargesHeading = await text(page, 'main h2');
  const chargesTable = page.locator('main .page-head:has(h2) + .table-wrap table');
  const charges: string[][] = [];
  const chargeRows = chargesTable.locator('tbody tr');
  for (let i = 0; i < (await chargeRows.count()); i += 1) charges.push(await cellTexts(chargeRows.nth(i)));
  if (charges.length === 0) await expect(text(page, 'main .page-head + p')).resolves.toBe('No charges yet.');
  const csvHref = (await page.getByRole('button', { name: 'Download CSV' }).getAttribute('href')) ?? '';
  return {
    status: {
      period,
      budget: cents(budget),
      committed: cents(committed),
      remaining: cents(remaining),
      used,
    },
    chargesHeading,
    charges,
    csvHref,
  };
}

/** Opens one of the navigation's <details> menus, then follows a link inside it. */
async function viaMenu(page: Page, menu: string, link: string, urlGlob: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.locator('summary', { hasText: menu }).click();
  await Promise.all([page.waitForURL(urlGlob), nav.getByRole('link', { name: link, exact: true }).click()]);
}

/** The 15th of next month (UTC), as the date input takes it: always in the future, never this month. */
function dueNextMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15)).toISOString().slice(0, 10);
}

describe('manager books training (real browser, demo data)', () => {
  let server: RunningServer;
  let browser: Browser;
  let people: DemoAccount[] = [];

  beforeAll(async () => {
    server = await startServer({ logFile: path.join(RESULTS_DIR, 'server-manager-training.log') });
    browser = await launchBrowser();
    const { context, page } = await newSession(browser, server.baseUrl);
    try {
      people = await completeSetup(page, { demo: true });
    } finally {
      await context.close();
    }
    expect(people.find((p) => p.username === MANAGER)).toMatchObject({ role: 'manager' });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServerCleanly(server);
  });

  test('journey 3: manager.maria opens a coaching task, books training for three CSRs within budget and sees the charge', async () => {
    const journey = new Journey('3-manager-books-training');
    const person = (username: string): DemoAccount => {
      const found = people.find((p) => p.username === username);
      if (!found) throw new Error(`${username} is not among the demo accounts on /setup/done`);
      return found;
    };
    const csrs = people.filter((p) => p.role === 'csr' && DEPARTMENT_TEAMS.includes(p.team));
    expect(csrs.map((c) => c.username).sort()).toEqual([...BOOKED, FOURTH].sort());
    const booked = BOOKED.map(person);
    const fourth = person(FOURTH);
    const due = dueNextMonth();

    const { context, page } = await signIn(browser, server.baseUrl, MANAGER, DEMO_PASSWORD, journey);
    try {
      await journey.step(page, 'manager home');

      // Coaching: the demo history's failing scorecards opened tasks for her CSRs.
      await viaMenu(page, 'Coaching', 'Coaching', '**/coaching');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Coaching');
      await expect(
        page.getByRole('navigation', { name: 'Filter coaching tasks' }).locator('a[aria-current="page"]').textContent(),
      ).resolves.toBe('Open and scheduled');
      const taskRows = page.locator('main table tbody tr');
      const taskCount = await taskRows.count();
      expect(taskCount).toBeGreaterThan(0);
      const csrNames = csrs.map((c) => c.name);
      for (let i = 0; i < taskCount; i += 1) {
        const [csrName, , from, , status] = await cellTexts(taskRows.nth(i));
        expect(csrNames).toContain(csrName); // only her department's CSRs
        expect(['open', 'scheduled']).toContain(status.split(' ')[0]);
        if (i === 0) expect(from).toMatch(/^Standard call quality \d+\.\d%$/);
      }
      const [taskCsr] = await cellTexts(taskRows.first());
      await journey.step(page, 'coaching tasks');

      const taskLink = taskRows.first().getByRole('link');
      const focusShown = squash(await taskLink.textContent());
      await Promise.all([page.waitForURL(/\/coaching\/\d+$/), taskLink.click()]);
      await expect(text(page, 'main h1')).resolves.toBe(`Coaching for ${taskCsr}`);
      await expect(text(page, 'main dl.facts dt:text-is("Status") + dd')).resolves.toMatch(/^(open|scheduled)\b/);
      await expect(
        page.locator('main dl.facts a[href^="/evaluations/"]', { hasText: 'Standard call quality' }).count(),
      ).resolves.toBe(1);
      // The list's link text is the task's first focus items (up to two).
      const focusSection = await text(page, 'section[aria-labelledby="focus-heading"]');
      const shownParts = focusShown.replace(/…$/, '').split('; ');
      expect(shownParts.length).toBeGreaterThan(0);
      for (const part of shownParts) expect(focusSection).toContain(part);
      await journey.step(page, 'coaching task of a csr');

      // The department's budget before booking.
      await viaMenu(page, 'Coaching', 'Budget', '**/budget');
      const before = await readBudget(page);
      expect(before.status.budget).toBe(500_000); // the demo department: 5,000.00 USD a quarter
      expect(before.status.period).toMatch(/^Q[1-4] \d{4}$/);
      expect(before.status.remaining).toBe(before.status.budget - before.status.committed);
      expect(before.status.remaining).toBeGreaterThanOrEqual(TOTAL_CENTS);
      expect(before.chargesHeading).toBe(`Charges: ${DEPARTMENT}`);
      expect(before.csvHref).toMatch(/^\/budget\/\d+\/charges\.csv$/);
      await journey.step(page, 'budget before booking');

      // Training catalog → Book the course.
      await viaMenu(page, 'Coaching', 'Training', '**/training');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Training catalog');
      const courseRow = page.locator('main table tbody tr', { hasText: COURSE });
      await expect(courseRow.count()).resolves.toBe(1);
      const courseCells = await cellTexts(courseRow);
      expect(courseCells[3]).toBe('$120.00');
      expect(courseCells[4]).toBe(COURSE_RULE);
      const otherCells = await cellTexts(page.locator('main table tbody tr', { hasText: OTHER_COURSE }));
      expect(otherCells.slice(3, 5)).toEqual(['$45.00', '20% off from 5 seats']);
      await journey.step(page, 'training catalog');

      await Promise.all([
        page.waitForURL(/\/training\/book\?course_id=\d+$/),
        courseRow.getByRole('link', { name: 'Book' }).click(),
      ]);
      const courseId = new URL(page.url()).searchParams.get('course_id')!;
      const courseSelect = page.getByLabel('Course');
      await expect(courseSelect.inputValue()).resolves.toBe(courseId);
      await expect(courseSelect.locator('option:checked').textContent().then(squash)).resolves.toBe(
        `${COURSE} — $120.00 per seat, ${COURSE_RULE}`,
      );
      const checkboxFor = (csr: DemoAccount) =>
        page.getByRole('checkbox', { name: `${csr.name} (${csr.team})`, exact: true });
      for (const csr of csrs) {
        await expect(checkboxFor(csr).getAttribute('value')).resolves.toBe(csr.username);
        await expect(checkboxFor(csr).isChecked()).resolves.toBe(false);
      }
      /**
       * Ticks or unticks a CSR by clicking their name, as a person does. (Not checkbox.check(): the team name's
       * <small> lies over the lower part of the box — Pico's "input + small" helper-text rule — so a click on the
       * box's centre lands on the <small>; it toggles the box too, being inside the same <label>.)
       */
      const tick = async (csr: DemoAccount, on: boolean) => {
        const box = checkboxFor(csr);
        if ((await box.isChecked()) !== on) await page.locator('main label', { has: box }).getByText(csr.name).click();
        await expect(box.isChecked()).resolves.toBe(on);
      };
      await journey.step(page, 'booking form');

      // First a look at four seats: one of every four is free.
      for (const csr of [...booked, fourth]) await tick(csr, true);
      await page.getByLabel('Complete by').fill(due);
      await journey.step(page, 'four csrs chosen', { a11y: false });
      await Promise.all([
        page.waitForURL('**/training/book/review'),
        page.getByRole('button', { name: 'Review price and budget' }).click(),
      ]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Confirm booking');
      await expect(text(page, 'main article h2')).resolves.toBe(COURSE);
      const budgetLabel = `Budget left for ${before.status.period}`;
      const budgetLeft = `${money(before.status.remaining)} of ${money(before.status.budget)}`;
      await expect(priceTable(page)).resolves.toEqual([
        ['Seats', '4'],
        ['Price per seat', '$120.00'],
        [`Free seats (${COURSE_RULE})`, '1'],
        ['Group discount', '−$120.00'],
        ['Total', '$360.00'],
        [budgetLabel, budgetLeft],
        ['Left after this booking', money(before.status.remaining - TOTAL_CENTS)],
      ]);
      await expect(page.getByRole('button', { name: 'Confirm booking for $360.00' }).isVisible()).resolves.toBe(true);
      await journey.step(page, 'review four seats one free');

      // "Change" goes back to the form with the course, CSRs and due date kept; book three instead.
      await Promise.all([
        page.waitForURL(`**/training/book?course_id=${courseId}&*`),
        page.getByRole('link', { name: 'Change' }).click(),
      ]);
      await expect(courseSelect.inputValue()).resolves.toBe(courseId);
      await expect(page.getByLabel('Complete by').inputValue()).resolves.toBe(due);
      await expect(page.locator('input[name="agents"]:checked').count()).resolves.toBe(csrs.length);
      for (const csr of csrs) await tick(csr, BOOKED.includes(csr.username));
      await page.getByLabel('Complete by').fill(due);
      await journey.step(page, 'three csrs chosen');
      await Promise.all([
        page.waitForURL('**/training/book/review'),
        page.getByRole('button', { name: 'Review price and budget' }).click(),
      ]);
      const intro = await text(page, 'main article > p');
      for (const csr of booked) expect(intro).toContain(csr.name);
      expect(intro).not.toContain(fourth.name);
      expect(intro).toContain(`(${DEPARTMENT}), to complete by ${due} 23:59 UTC.`);
      await expect(priceTable(page)).resolves.toEqual([
        ['Seats', '3'],
        ['Price per seat', '$120.00'],
        [`Free seats (${COURSE_RULE})`, '0'],
        ['Total', '$360.00'],
        [budgetLabel, budgetLeft],
        ['Left after this booking', money(before.status.remaining - TOTAL_CENTS)],
      ]);
      await expect(page.getByText(/over the department's budget/).count()).resolves.toBe(0);
      await journey.step(page, 'review three seats');

      await Promise.all([
        page.waitForURL('**/budget'),
        page.getByRole('button', { name: 'Confirm booking for $360.00' }).click(),
      ]);
      await expect(text(page, 'main .flash')).resolves.toBe('Booked 3 seat(s).');
      const after = await readBudget(page);
      expect(after.status.period).toBe(before.status.period);
      expect(after.status.budget).toBe(before.status.budget);
      expect(after.status.committed).toBe(before.status.committed + TOTAL_CENTS);
      expect(after.status.remaining).toBe(before.status.remaining - TOTAL_CENTS);
      expect(after.status.remaining).toBe(after.status.budget - after.status.committed);
      expect(after.status.used).toBe(
        `${Math.min(100, Math.round((100 * after.status.committed) / after.status.budget))}% of the budget used`,
      );
      // Newest first: the booking heads the list, once.
      expect(after.charges).toHaveLength(before.charges.length + 1);
      expect(after.charges.slice(1)).toEqual(before.charges);
      const [date, period, kind, what, amount, by] = after.charges[0];
      expect(date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
      expect(period).toBe(before.status.period);
      expect(kind).toBe('training');
      expect(what).toBe(`${COURSE} × 3 seats`);
      expect(amount).toBe('$360.00');
      expect(by).toBe(person(MANAGER).name);
      await journey.step(page, 'budget after booking');

      // The CSV behind "Download CSV" has the same charge.
      const csv = await page.request.get(after.csvHref);
      expect(csv.status()).toBe(200);
      const csvLines = (await csv.text()).trim().split('\n');
      expect(csvLines[0]).toBe('date,period,kind,description,amount_cents,amount,over_budget,by');
      expect(csvLines).toHaveLength(after.charges.length + 1);
      expect(csvLines[1]).toMatch(
        new RegExp(`^[^,]+,\\d{4}-Q[1-4],training,${COURSE} × 3 seats,36000,360\\.00,no,${person(MANAGER).name}$`),
      );
    } finally {
      await context.close();
    }
    journey.finish();
  });
});
