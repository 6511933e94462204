import { Router, type NextFunction, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { AppDeps } from '../deps';
import { Conflict, Forbidden, Validation } from '../lib/errors';
import { idParam } from '../lib/forms';
import { clientIp, flash, isApiRequest, pickFields, successRedirect, withDeps, type PageRender } from '../lib/http';
import { hasPasskey, PASSKEYS_PAGE } from '../passkeys';
import { actorOf, requireRole, requireSignedIn } from '../policy';
import { signedIn } from './signed-in';
import { findTotp, listSecondFactorStatus } from './mfa.queries';
import {
  confirmEnrolment,
  disableSecondFactor,
  mustEnrol,
  regenerateRecoveryCodes,
  resetSecondFactor,
  secondFactorStatus,
  startEnrolment,
} from './mfa.service';
import { saveSecondFactorPolicy, secondFactorPolicy } from './mfa.settings';
import { openSecret } from './secret-box';
import { otpauthUrl } from './totp';

const PAGE = '/profile/second-factor';

/** The QR code of the otpauth URL, drawn as SVG on the server and shown as an image (no script, no markup). */
async function qrImage(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

const renderPage: PageRender<AppDeps> = async (deps, req, res, status = 200, extra = {}) => {
  const actor = signedIn(req);
  const state = await secondFactorStatus(deps, actor.id);
  let enrolment: { secret: string; qr: string } | null = null;
  const totp = state.pending ? await findTotp(deps.db, actor.id) : undefined;
  if (totp) {
    // Shown while enrolment is pending only; once confirmed the secret never leaves the server again.
    const secret = openSecret(deps.config, totp.secret_enc);
    enrolment = { secret, qr: await qrImage(otpauthUrl(actor.username, secret)) };
  }
  res.status(status).render('mfa/profile', {
    title: 'Second factor',
    state,
    enrolment,
    required: Boolean(req.session.mustEnrol),
    recoveryCodes: null,
    errors: {},
    ...extra,
  });
};

async function showPage(deps: AppDeps, req: Request, res: Response) {
  await renderPage(deps, req, res);
}

async function start(deps: AppDeps, req: Request, res: Response) {
  await startEnrolment(deps, signedIn(req));
  res.redirect(303, PAGE);
}

/** Runs a step that takes a code; a wrong one shows the page again with the message beside the field. */
async function withCode<T>(
  deps: AppDeps,
  req: Request,
  res: Response,
  form: string,
  step: (code: string) => Promise<T>,
) {
  const { code } = pickFields(req.body, ['code']);
  try {
    return await step(typeof code === 'string' ? code : '');
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    await renderPage(deps, req, res, 422, { errors: { [form]: err.byField().code ?? err.message } });
    return undefined;
  }
}

async function confirm(deps: AppDeps, req: Request, res: Response) {
  const codes = await withCode(deps, req, res, 'confirm', (code) =>
    confirmEnrolment(deps, actorOf(req).id, code, clientIp(req)),
  );
  if (!codes) return;
  req.session.mustEnrol = false;
  flash(req, 'success', 'Your second factor is on.');
  await renderPage(deps, req, res, 200, { recoveryCodes: codes });
}

async function renewCodes(deps: AppDeps, req: Request, res: Response) {
  const codes = await withCode(deps, req, res, 'renew', (code) =>
    regenerateRecoveryCodes(deps, actorOf(req).id, code, clientIp(req)),
  );
  if (codes) await renderPage(deps, req, res, 200, { recoveryCodes: codes });
}

async function disable(deps: AppDeps, req: Request, res: Response) {
  const actor = actorOf(req);
  const policy = await secondFactorPolicy(deps.db);
  if (policy.required && policy.roles.includes(actor.role) && !(await hasPasskey(deps, actor.id))) {
    throw new Conflict('Your role must use a second factor, so it cannot be turned off.', 'second_factor_required');
  }
  const done = await withCode(deps, req, res, 'disable', async (code) => {
    await disableSecondFactor(deps, actor.id, code, clientIp(req));
    return true;
  });
  if (done) successRedirect(req, res, 'Your second factor is off.', PAGE);
}

async function showSecurity(
  deps: AppDeps,
  _req: Request,
  res: Response,
  _next?: NextFunction,
  status = 200,
  extra = {},
) {
  res.status(status).render('mfa/security', {
    title: 'Sign-in security',
    policy: await secondFactorPolicy(deps.db),
    people: await listSecondFactorStatus(deps.db),
    errors: {},
    ...extra,
  });
}

async function saveSecurity(deps: AppDeps, req: Request, res: Response) {
  try {
    await saveSecondFactorPolicy(deps, actorOf(req), pickFields(req.body, ['required', 'roles']), clientIp(req));
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    return showSecurity(deps, req, res, undefined, 422, { errors: err.byField() });
  }
  successRedirect(req, res, 'Sign-in security saved.', '/admin/security');
}

async function reset(deps: AppDeps, req: Request, res: Response) {
  const had = await resetSecondFactor(deps, actorOf(req), idParam(req, 'user'), clientIp(req));
  const message = had
    ? 'Second factor reset: they set up a new one at their next sign-in.'
    : 'They had no second factor.';
  successRedirect(req, res, message, '/admin/security');
}

export function mfaRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use(PAGE, requireSignedIn);
  router.get(PAGE, handle(showPage));
  router.post(`${PAGE}/start`, handle(start));
  router.post(`${PAGE}/confirm`, handle(confirm));
  router.post(`${PAGE}/recovery-codes`, handle(renewCodes));
  router.post(`${PAGE}/disable`, handle(disable));
  router.use('/admin/security', requireRole('admin'));
  router.get('/admin/security', handle(showSecurity));
  router.post('/admin/security', handle(saveSecurity));
  router.post('/admin/security/users/:id/reset', handle(reset));
  return router;
}

const OPEN_WHILE_ENROLLING = [PAGE, '/logout', '/api/v1/me/totp', '/api/v1/me', PASSKEYS_PAGE];

/**
 * A person whose role needs a second factor and who has none can do nothing but set one up (or sign out).
 * Decided at sign-in (the session's mustEnrol); bearer tokens are refused at creation instead.
 */
export function enrolmentGate(req: Request, res: Response, next: NextFunction): void {
  if (!req.user || req.authVia !== 'session' || !req.session.mustEnrol) return next();
  if (OPEN_WHILE_ENROLLING.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
  if (isApiRequest(req)) return next(new Forbidden('Set up your second factor on your profile first.'));
  res.redirect(303, PAGE);
}

/** Marks a fresh session that must enrol before anything else. */
export async function markEnrolmentDue(deps: AppDeps, req: Request): Promise<boolean> {
  const due = req.user ? await mustEnrol(deps, req.user) : false;
  req.session.mustEnrol = due;
  return due;
}
