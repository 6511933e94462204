import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { clientIp } from '../lib/http';
import { parseInput } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES } from '../policy';
import { settingsPatchSchema } from './settings.schemas';
import { contextList, getSettings, saveSettings, type Settings } from './settings.service';

function settingsJson(settings: Settings) {
  return {
    service_level_threshold_s: settings.service_level_threshold_s,
    service_level_target: Math.round(settings.service_level_target_pct * 100) / 10_000,
    agent_channel: settings.agent_channel,
    dead_air_min_s: settings.dead_air_min_s,
    time_zone: settings.time_zone,
    after_call_work_s: settings.after_call_work_s,
    forecast_weeks: settings.forecast_weeks,
    recording_retention_days: settings.recording_retention_days,
    coaching_due_days: settings.coaching_due_days,
    recognition_min_evaluations: settings.recognition_min_evaluations,
    pbx_inbound_contexts: contextList(settings.pbx_inbound_contexts),
    transcript_agent_names: contextList(settings.transcript_agent_names),
    transcript_customer_names: contextList(settings.transcript_customer_names),
    risk_dead_air_s: settings.risk_dead_air_s,
    risk_overtalk_s: settings.risk_overtalk_s,
    risk_low_csat_max: settings.risk_low_csat_max,
  };
}

/** /api/v1/settings: staff read the settings, an admin changes some of them (fields left out stay). */
export function settingsApiRoutes(deps: AppDeps): Router {
  async function show(_req: Request, res: Response) {
    res.json(settingsJson(await getSettings(deps.db)));
  }

  async function patch(req: Request, res: Response) {
    const { service_level_target: target, ...rest } = parseInput(settingsPatchSchema, req.body ?? {});
    // Lists travel as arrays here and are kept comma-separated, as the page edits them.
    const lists = Object.fromEntries(
      Object.entries(rest).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : value]),
    );
    const changes = { ...lists, ...(target !== undefined ? { service_level_target_pct: target * 100 } : {}) };
    const saved = await saveSettings(deps, actorOf(req), changes, clientIp(req));
    for (const hook of deps.settingsSaved ?? []) hook(saved);
    res.json(settingsJson(saved));
  }

  const router = Router();
  router.get('/', requireRole(...STAFF_ROLES), show);
  router.patch('/', requireRole('admin'), patch);
  return router;
}
