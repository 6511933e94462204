import { Router } from 'express';
import type { AppDeps } from '../deps';
import { Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { actorOf, requireRole } from '../policy';
import { getSettings, saveSettings } from './settings.service';

export function settingsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/admin/settings', requireRole('admin'));

  router.get('/admin/settings', async (_req, res) => {
    res.render('settings/index', { title: 'Settings', values: await getSettings(deps.db), errors: {} });
  });

  router.post('/admin/settings', async (req, res) => {
    const values = pickFields(req.body, [
      'recording_retention_days',
      'coaching_due_days',
      'recognition_min_evaluations',
      'service_level_target_pct',
      'service_level_threshold_s',
      'agent_channel',
      'dead_air_min_s',
      'transcript_agent_names',
      'transcript_customer_names',
      'time_zone',
      'after_call_work_s',
      'forecast_weeks',
    ]);
    try {
      await saveSettings(deps, actorOf(req), values, clientIp(req));
      flash(req, 'success', 'Settings saved.');
      res.redirect(303, '/admin/settings');
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      res.status(422).render('settings/index', { title: 'Settings', values, errors: err.byField() });
    }
  });

  return router;
}
