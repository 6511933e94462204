// Steps several journeys share, done through the real pages like a person would.
import type { Browser, Page } from 'playwright-core';
import { newSession, type Session } from './browser';
import type { Journey } from './journey';

export const ADMIN = {
  username: 'e2e.admin',
  displayName: 'Erin Admin',
  // Long and unusual: passes the common-password check.
  password: 'lantern harbour quietly 2026 kites',
};

/** Published by the setup page itself; the journeys check the page says so before using it. */
export const DEMO_PASSWORD = 'callscore-demo-2026';

export interface DemoAccount {
  username: string;
  name: string;
  role: string;
  team: string;
}

/**
 * On /setup: creates the administrator and, with demo, ticks "Load demo data". Returns the demo accounts
 * listed on /setup/done (empty without demo). The page is left on /setup/done, signed in as the admin.
 */
export async function completeSetup(
  page: Page,
  options: { demo: boolean; journey?: Journey; admin?: typeof ADMIN },
): Promise<DemoAccount[]> {
  const admin = options.admin ?? ADMIN;
  if (!new URL(page.url()).pathname.startsWith('/setup')) await page.goto('/setup');
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Your name').fill(admin.displayName);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByLabel(/Load demo data/).setChecked(options.demo);
  if (options.journey) await options.journey.step(page, 'setup form filled in');
  await Promise.all([
    page.waitForURL('**/setup/done', { timeout: 120_000 }), // the demo data stores its recordings (about 40 calls)
    page.getByRole('button', { name: 'Create administrator' }).click({ timeout: 120_000 }),
  ]);
  if (!options.demo) return [];
  const rows: string[][] = [];
  const trs = page.locator('table tbody tr');
  for (let i = 0; i < (await trs.count()); i += 1) {
    rows.push((await trs.nth(i).locator('td').allTextContents()).map((cell) => cell.trim()));
  }
  return rows.map(([username, name, role, team]) => ({ username, name, role, team }));
}

/** Signs in on a fresh context (own cookies) and waits to leave /login. */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  username: string,
  password: string,
  journey?: Journey,
): Promise<Session> {
  const session = await newSession(browser, baseUrl);
  const { page } = session;
  journey?.watch(page, username);
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  if (journey) await journey.step(page, `sign in as ${username}`);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  return session;
}
