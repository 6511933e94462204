// Journey 5 on its own installation: the admin requires a second factor of admins and managers; a manager
// signs in, is taken to enrolment, enrols with the code computed from the secret the page shows, signs out and
// in again with a code, then with a recovery code, and the same recovery code fails the second time.
import path from 'node:path';
import { generate } from '@otplib/totp';
import type { Browser, Page } from 'playwright-core';
import { base32, crypto } from '../../src/mfa/otp-plugins';
import { launchBrowser, newSession } from './harness/browser';
import { ADMIN, completeSetup, signIn } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { startServer, stopServerCleanly, type RunningServer } from './harness/server';

const MANAGER = { username: 'e2e.manager', password: 'copper meadow lantern 2026 otters' };

/** The code an authenticator app would show now. */
function codeNow(secret: string): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000), crypto, base32 });
}

/** Waits for the next 30-second step: a code already used in this step is refused (no replay). */
async function nextTimeStep(): Promise<void> {
  const msLeft = 30_000 - (Date.now() % 30_000);
  await new Promise((resolve) => setTimeout(resolve, msLeft + 500));
}

/** Creates the manager through the API with an admin token (set-up, not part of the journey). */
async function createManager(baseUrl: string): Promise<void> {
  const tokenRes = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password, name: 'e2e' }),
  });
  const { token } = (await tokenRes.json()) as { token: string };
  const res = await fetch(`${baseUrl}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...MANAGER, display_name: 'Morgan Manager', role: 'manager' }),
  });
  if (res.status !== 201) throw new Error(`creating the manager: ${res.status} ${await res.text()}`);
}

async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: 'Sign out' }).click()]);
}

async function passwordThenCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Username').fill(MANAGER.username);
  await page.getByLabel('Password').fill(MANAGER.password);
  await Promise.all([page.waitForURL('**/login/code'), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
}

describe('second factor (real browser)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ logFile: path.join(RESULTS_DIR, 'server-second-factor.log') });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServerCleanly(server);
  });

  test('journey 5: required for managers, enrolled, then signing in with a code and with a recovery code', async () => {
    const journey = new Journey('5-second-factor');
    const { context: setupContext, page: admin } = await newSession(browser, server.baseUrl);
    journey.watch(admin, ADMIN.username);
    await completeSetup(admin, { demo: false });
    await createManager(server.baseUrl);

    // The admin turns the requirement on (admins and managers are chosen by default).
    await admin.goto('/admin/security');
    await admin.getByLabel('Require a second factor').selectOption('on');
    await expect(admin.getByLabel('managers').isChecked()).resolves.toBe(true);
    await journey.step(admin, 'admin turns the requirement on');
    await Promise.all([admin.waitForURL('**/admin/security'), admin.getByRole('button', { name: 'Save' }).click()]);
    await expect(admin.getByText('Sign-in security saved.').isVisible()).resolves.toBe(true);
    await setupContext.close();

    // The manager signs in with the password and is taken to enrolment.
    const { context, page } = await signIn(browser, server.baseUrl, MANAGER.username, MANAGER.password, journey);
    try {
      expect(new URL(page.url()).pathname).toBe('/profile/second-factor');
      await page.goto('/calls');
      expect(new URL(page.url()).pathname).toBe('/profile/second-factor');
      await Promise.all([
        page.waitForURL('**/profile/second-factor'),
        page.getByRole('button', { name: 'Set up a second factor' }).click(),
      ]);
      await expect(page.getByRole('img', { name: /QR code/ }).isVisible()).resolves.toBe(true);
      const secret = ((await page.locator('#totp-secret').textContent()) ?? '').trim();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await journey.step(page, 'enrolment with QR code and key');
      await page.getByLabel('Code from the app').fill(await codeNow(secret));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.locator('#recovery-codes').waitFor();
      const recovery = (await page.locator('#recovery-codes code').allTextContents()).map((c) => c.trim());
      expect(recovery).toHaveLength(10);
      await journey.step(page, 'recovery codes shown once');
      await page.goto('/calls');
      expect(new URL(page.url()).pathname).toBe('/calls');

      // Out and in again with a code from the app (the next one: the enrolment's code can't be replayed).
      await signOut(page);
      await nextTimeStep();
      await passwordThenCode(page, await codeNow(secret));
      await page.waitForURL((url) => url.pathname === '/');
      await journey.step(page, 'signed in with a code');

      // Out and in with a recovery code.
      await signOut(page);
      await page.getByLabel('Username').fill(MANAGER.username);
      await page.getByLabel('Password').fill(MANAGER.password);
      await Promise.all([page.waitForURL('**/login/code'), page.getByRole('button', { name: 'Sign in' }).click()]);
      await journey.step(page, 'code step');
      await page.getByLabel('Code').fill(recovery[0] ?? '');
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      await journey.step(page, 'signed in with a recovery code');

      // The same recovery code a second time: refused, still not signed in.
      await signOut(page);
      await passwordThenCode(page, recovery[0] ?? '');
      await page.getByText('That code is not right').waitFor();
      expect(new URL(page.url()).pathname).toBe('/login/code');
      await journey.step(page, 'used recovery code refused');
      // Still half signed in: the home page sends the browser to sign in.
      await page.goto('/');
      expect(new URL(page.url()).pathname).toBe('/login');
    } finally {
      await context.close();
    }
    journey.finish();
  });
});
