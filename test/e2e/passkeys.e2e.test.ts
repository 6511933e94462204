// Passkeys in a real browser: Chromium's virtual authenticator (CDP WebAuthn domain: CTAP2, internal transport,
// resident keys, user verification) stands in for a phone or laptop. The admin requires a second factor of
// managers; a manager signs in with the password, is taken to enrolment, adds a passkey on the passkeys page,
// signs out, signs in with the passkey alone (no password), signs out, and passes the second step with it.
import path from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchBrowser, newSession } from './harness/browser';
import { ADMIN, completeSetup } from './harness/flows';
import { Journey, RESULTS_DIR } from './harness/journey';
import { freePort, startServer, stopServerCleanly, type RunningServer } from './harness/server';

const MANAGER = { username: 'e2e.passkey', password: 'amber harbour kettle 2026 herons' };

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
    body: JSON.stringify({ ...MANAGER, display_name: 'Pat Passkey', role: 'manager' }),
  });
  if (res.status !== 201) throw new Error(`creating the manager: ${res.status} ${await res.text()}`);
}

/** A platform authenticator with user verification, like a laptop's fingerprint reader. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: 'Sign out' }).click()]);
}

describe('passkeys (real browser, virtual authenticator)', () => {
  let server: RunningServer;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    // WebAuthn needs a host name (not 127.0.0.1) in a secure context: http://localhost is one.
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    server = await startServer({
      port,
      env: { PUBLIC_URL: baseUrl },
      logFile: path.join(RESULTS_DIR, 'server-passkeys.log'),
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServerCleanly(server);
  });

  test('journey 6: a passkey added at enrolment signs in alone and passes the second step', async () => {
    const journey = new Journey('6-passkeys');
    const { context: setupContext, page: admin } = await newSession(browser, baseUrl);
    journey.watch(admin, ADMIN.username);
    await completeSetup(admin, { demo: false });
    await createManager(server.baseUrl);
    await admin.goto('/admin/security');
    await admin.getByLabel('Require a second factor').selectOption('on');
    await Promise.all([admin.waitForURL('**/admin/security'), admin.getByRole('button', { name: 'Save' }).click()]);
    await setupContext.close();

    const { context, page } = await newSession(browser, baseUrl);
    journey.watch(page, MANAGER.username);
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    try {
      // The password, then enrolment: she chooses a passkey instead of an app code.
      await page.goto('/login');
      await page.getByLabel('Username').fill(MANAGER.username);
      await page.getByLabel('Password').fill(MANAGER.password);
      await Promise.all([
        page.waitForURL('**/profile/second-factor'),
        page.getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      await page.getByRole('link', { name: 'Passkeys' }).click();
      await page.waitForURL('**/profile/passkeys');
      await journey.step(page, 'passkeys page while enrolling');
      await page.getByLabel('Name').fill('Work laptop');
      await Promise.all([
        page.waitForURL('**/profile/passkeys'),
        page.getByText('Passkey added.').waitFor(),
        page.getByRole('button', { name: 'Add a passkey' }).click(),
      ]);
      await expect(page.getByRole('heading', { name: 'Work laptop' }).isVisible()).resolves.toBe(true);
      await journey.step(page, 'passkey added');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.isResidentCredential).toBe(true);
      await page.goto('/calls');
      expect(new URL(page.url()).pathname).toBe('/calls');

      // Out, and in with the passkey alone: no username, no password.
      await signOut(page);
      await journey.step(page, 'sign-in page with the passkey button');
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/'),
        page.getByRole('button', { name: 'Sign in with a passkey' }).click(),
      ]);
      await expect(page.getByText('Pat Passkey').first().isVisible()).resolves.toBe(true);
      await journey.step(page, 'signed in with the passkey alone');

      // Out, and in with the password and the passkey as the second step.
      await signOut(page);
      await page.getByLabel('Username').fill(MANAGER.username);
      await page.getByLabel('Password').fill(MANAGER.password);
      await Promise.all([
        page.waitForURL('**/login/code'),
        page.getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      await journey.step(page, 'second step offers the passkey');
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/'),
        page.getByRole('button', { name: 'Use your passkey' }).click(),
      ]);
      await journey.step(page, 'signed in with password and passkey');
      const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(after.credentials[0]?.signCount).toBeGreaterThanOrEqual(2);
    } finally {
      await context.close();
    }
    journey.finish();
  });
});
