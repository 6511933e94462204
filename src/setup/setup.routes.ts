import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { clientIp, pickFields } from '../lib/http';
import { checkbox } from '../lib/validation';
import { toSessionUser } from '../auth';
import { maySeeSetupOutcome } from '../policy';
import { DEMO_PASSWORD, DEMO_PEOPLE } from './demo-data';
import { runFirstSetup, type SetupState } from './setup.service';

const FIELDS = ['username', 'display_name', 'password'] as const;
const OPEN_PATHS = /^\/(setup|static|healthz|api)(\/|$)/;

/** Until an admin exists, every page leads to the setup form. */
export function redirectToSetup(state: SetupState) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (OPEN_PATHS.test(req.path) || !(await state.isOpen())) return next();
    res.redirect(303, '/setup');
  };
}

export function setupRoutes(deps: AppDeps, state: SetupState): Router {
  const router = Router();

  router.get('/setup', async (_req, res) => {
    if (!(await state.isOpen())) throw new NotFound();
    res.render('setup/setup', { title: 'Set up Callscore', values: {}, errors: {}, demo: true });
  });

  router.post('/setup', async (req, res, next) => {
    if (!(await state.isOpen())) throw new NotFound();
    const values = pickFields(req.body, FIELDS);
    const withDemo = checkbox.parse((req.body as Record<string, unknown>).demo);
    try {
      const result = await runFirstSetup(deps, values, withDemo, clientIp(req));
      state.markDone();
      req.login(toSessionUser(result.admin), (err) => {
        if (err) return next(err);
        req.session.startedAt = deps.clock.now().getTime();
        req.session.setupDemo = result.demo !== null;
        res.redirect(303, '/setup/done');
      });
    } catch (err) {
      if (!(err instanceof Validation) && !(err instanceof Conflict)) throw err;
      const errors = err instanceof Validation ? err.byField() : { username: err.message };
      res.status(err.status).render('setup/setup', {
        title: 'Set up Callscore',
        values: { username: values.username, display_name: values.display_name },
        errors,
        demo: withDemo,
      });
    }
  });

  router.get('/setup/done', (req, res) => {
    if (!req.user || !maySeeSetupOutcome(req.user) || req.session.setupDemo === undefined) throw new NotFound();
    res.render('setup/done', {
      title: 'Callscore is ready',
      demoPeople: req.session.setupDemo ? DEMO_PEOPLE : null,
      demoPassword: DEMO_PASSWORD,
    });
  });

  return router;
}
