import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { clientIp } from '../lib/http';
import { parseInput } from '../lib/validation';
import { actorOf } from '../policy';
import { signedIn } from './signed-in';
import { codeSchema } from './mfa.schemas';
import { confirmEnrolment, disableSecondFactor, secondFactorStatus, startEnrolment } from './mfa.service';

/** `/api/v1/me/totp` (API.md, wave 2): the caller's own second factor. */
export function totpApiRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/', async (req: Request, res: Response) => {
    const status = await secondFactorStatus(deps, actorOf(req).id);
    res.json({ enabled: status.on, pending: status.pending, recovery_codes_left: status.recoveryCodesLeft });
  });
  router.post('/', async (req: Request, res: Response) => {
    const started = await startEnrolment(deps, signedIn(req));
    res.status(201).json({ secret: started.secret, otpauth_url: started.otpauthUrl });
  });
  router.post('/confirm', async (req: Request, res: Response) => {
    const { code } = parseInput(codeSchema, req.body);
    res.json({ recovery_codes: await confirmEnrolment(deps, actorOf(req).id, code, clientIp(req)) });
  });
  router.delete('/', async (req: Request, res: Response) => {
    const { code } = parseInput(codeSchema, req.body ?? {});
    await disableSecondFactor(deps, actorOf(req).id, code, clientIp(req));
    res.status(204).end();
  });
  return router;
}
