import { Router } from 'express';
import type { AppDeps } from '../deps';
import { Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { actorOf, requireRole } from '../policy';
import { rollupRebuildRows } from './settings.queries';
import { getSettings, saveSettings } from './settings.service';

/** The roll-up rebuild after a zone change: null when the roll-ups are up to date for the zone. */
async function rebuildProgress(deps: AppDeps, timeZone: string) {
  const { builtFor, total, left } = await rollupRebuildRows(deps.db);
  if (builtFor !== timeZone) return { pct: 0, left: null, total: null };
  if (left === 0 || total === 0) return null;
  return { pct: Math.round((100 * Math.max(0, total - left)) / Math.max(total, left)), left, total };
}

export function settingsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/admin/settings', requireRole('admin'));

  router.get('/admin/settings', async (_req, res) => {
    const values = await getSettings(deps.db);
    res.render('settings/index', {
      title: 'Settings',
      values,
      errors: {},
      rebuild: await rebuildProgress(deps, values.time_zone),
      zones: Intl.supportedValuesOf('timeZone'),
    });
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
      'pbx_inbound_contexts',
      'time_zone',
      'after_call_work_s',
      'forecast_weeks',
      'risk_dead_air_s',
      'risk_overtalk_s',
      'risk_low_csat_max',
    ]);
    try {
      const saved = await saveSettings(deps, actorOf(req), values, clientIp(req));
      // A new zone starts the roll-ups over; the page shows how far the background rebuild has come.
      for (const hook of deps.settingsSaved ?? []) hook(saved);
      flash(req, 'success', 'Settings saved.');
      res.redirect(303, '/admin/settings');
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      const current = await getSettings(deps.db);
      res.status(422).render('settings/index', {
        title: 'Settings',
        values,
        errors: err.byField(),
        rebuild: await rebuildProgress(deps, current.time_zone),
        zones: Intl.supportedValuesOf('timeZone'),
      });
    }
  });

  return router;
}
