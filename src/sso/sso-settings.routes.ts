import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { Validation } from '../lib/errors';
import { clientIp, pickFields, successRedirect, withDeps } from '../lib/http';
import { actorOf, breakGlassState, requireRole } from '../policy';
import { saveSsoPolicy, ssoPolicy } from './sso.settings';

const PAGE = '/admin/security/sso';
const FIELDS = ['create_users', 'sso_only', 'break_glass', 'idp_mfa'] as const;

async function showSettings(deps: AppDeps, _req: Request, res: Response, status = 200, extra = {}) {
  const policy = await ssoPolicy(deps.db);
  const breakGlass = await breakGlassState(deps.db, deps.config.oidc !== null);
  res.status(status).render('sso/settings', {
    breakGlassProblem: breakGlass.problem,
    title: 'Single sign-on',
    configured: deps.config.oidc !== null,
    providerName: deps.config.oidc?.displayName ?? '',
    issuer: deps.config.oidc?.issuer.href ?? '',
    values: {
      create_users: policy.createUsers ? 'on' : 'off',
      sso_only: policy.ssoOnly ? 'on' : 'off',
      break_glass: policy.breakGlass,
      idp_mfa: policy.idpMfa ? 'on' : 'off',
    },
    errors: {},
    ...extra,
  });
}

async function saveSettings(deps: AppDeps, req: Request, res: Response) {
  const values = pickFields(req.body, FIELDS);
  try {
    await saveSsoPolicy(deps, actorOf(req), values, clientIp(req));
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    return showSettings(deps, req, res, 422, { values, errors: err.byField() });
  }
  successRedirect(req, res, 'Single sign-on settings saved.', PAGE);
}

export function ssoSettingsRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use(PAGE, requireRole('admin'));
  router.get(
    PAGE,
    handle((d, req, res) => showSettings(d, req, res)),
  );
  router.post(PAGE, handle(saveSettings));
  return router;
}
