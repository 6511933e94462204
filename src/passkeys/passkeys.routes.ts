import { Router, type Request, type Response } from 'express';
import type { Role } from '../db/schema';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import { idParam, formBody } from '../lib/forms';
import { clientIp, successRedirect, withDeps, type PageRender } from '../lib/http';
import { actorOf, requireSignedIn } from '../policy';
import { findUserById } from '../users';
import { registrationOptions, type Purpose } from './ceremonies';
import { finishRegistration } from './registration';
import { ownPasskeys, removeOwnPasskey, renameOwnPasskey } from './passkeys.service';

export const PASSKEYS_PAGE = '/profile/passkeys';
/** How recent a sign-in at the identity provider stands in for the password when removing a passkey. */
export const FRESH_SSO_MS = 10 * 60_000;

/** This session signed in through single sign-on within the last few minutes (ssoAt: the provider's sign-in). */
function freshSso(deps: AppDeps, req: Request): boolean {
  const at = req.session.ssoSignedIn ? req.session.ssoAt : undefined;
  return at !== undefined && deps.clock.now().getTime() - at <= FRESH_SSO_MS;
}

export interface PasskeyRouteOptions {
  /** Whether the person's role needs a second factor that passkeys alone provide (no app code): mfa's rule. */
  lastFactorRequired: (deps: AppDeps, user: { id: number; role: Role }) => Promise<boolean>;
}

/** Gives this session a challenge for one ceremony (a new one replaces the old). */
export function keepChallenge(req: Request, purpose: Purpose, value: string): void {
  req.session.passkeyChallenge = { purpose, value };
}

/** The session's challenge for this ceremony, forgotten as it is read: a challenge serves one attempt. */
export function takeChallenge(req: Request, purpose: Purpose): string | undefined {
  const kept = req.session.passkeyChallenge;
  delete req.session.passkeyChallenge;
  return kept?.purpose === purpose ? kept.value : undefined;
}

const renderPage: PageRender<AppDeps> = async (deps, req, res, status = 200, extra = {}) => {
  const actor = actorOf(req);
  res.status(status).render('passkeys/profile', {
    title: 'Passkeys',
    configured: deps.config.webauthn !== null,
    passkeys: await ownPasskeys(deps, actor.id),
    required: Boolean(req.session.mustEnrol),
    ssoSession: Boolean(req.session.ssoSignedIn),
    freshSso: freshSso(deps, req),
    errors: {},
    name: '',
    ...extra,
  });
};

async function showPage(deps: AppDeps, req: Request, res: Response) {
  await renderPage(deps, req, res);
}

async function options(deps: AppDeps, req: Request, res: Response) {
  const actor = actorOf(req);
  const user = await findUserById(deps.db, actor.id);
  if (!user) throw new Validation([], 'Sign in again.');
  const result = await registrationOptions(deps, user, await ownPasskeys(deps, actor.id));
  keepChallenge(req, 'register', result.challenge);
  res.json(result);
}

/** Runs a form's step; a refusal of its input shows the page again with the message beside the field. */
async function onPage(deps: AppDeps, req: Request, res: Response, step: () => Promise<void>, extra = {}) {
  try {
    await step();
    return true;
  } catch (err) {
    if (!(err instanceof AppError) || ![409, 422].includes(err.status)) throw err;
    const errors = err instanceof Validation ? err.byField() : { page: err.message };
    await renderPage(deps, req, res, err.status, { errors, ...extra });
    return false;
  }
}

async function register(deps: AppDeps, req: Request, res: Response) {
  const actor = actorOf(req);
  const body = formBody(req);
  const challenge = takeChallenge(req, 'register');
  const name = typeof body.name === 'string' ? body.name.slice(0, 200) : '';
  const done = await onPage(
    deps,
    req,
    res,
    () => finishRegistration(deps, actor.id, { challenge, credential: body.credential, name }, clientIp(req)),
    { name },
  );
  if (!done) return;
  req.session.mustEnrol = false;
  successRedirect(req, res, 'Passkey added.', PASSKEYS_PAGE);
}

async function rename(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'passkey');
  const done = await onPage(deps, req, res, async () => {
    try {
      await renameOwnPasskey(deps, actorOf(req).id, id, formBody(req).name);
    } catch (err) {
      if (err instanceof Validation) {
        throw new Validation([{ path: `rename_${id}`, message: err.byField().name ?? err.message }]);
      }
      throw err;
    }
  });
  if (done) successRedirect(req, res, 'Passkey renamed.', PASSKEYS_PAGE);
}

function remove(routeOptions: PasskeyRouteOptions) {
  return async (deps: AppDeps, req: Request, res: Response) => {
    const actor = actorOf(req);
    const id = idParam(req, 'passkey');
    const lastFactorRequired = await routeOptions.lastFactorRequired(deps, actor);
    const done = await onPage(deps, req, res, () =>
      removeOwnPasskey(deps, actor, id, formBody(req).password, {
        ip: clientIp(req),
        lastFactorRequired,
        freshSso: freshSso(deps, req),
      }),
    );
    if (done) successRedirect(req, res, 'Passkey removed.', PASSKEYS_PAGE);
  };
}

export function passkeyRoutes(deps: AppDeps, routeOptions: PasskeyRouteOptions): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use(PASSKEYS_PAGE, requireSignedIn);
  router.get(PASSKEYS_PAGE, handle(showPage));
  router.post(`${PASSKEYS_PAGE}/options`, handle(options));
  router.post(PASSKEYS_PAGE, handle(register));
  router.post(`${PASSKEYS_PAGE}/:id/rename`, handle(rename));
  router.post(`${PASSKEYS_PAGE}/:id/remove`, handle(remove(routeOptions)));
  return router;
}
