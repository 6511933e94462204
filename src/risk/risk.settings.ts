import type { Executor } from '../db/transaction';
import { getSettings } from '../settings';
import type { RiskLimits } from './risk';

/** The risk limits in force: the admin's settings (defaults until changed). */
export async function riskLimits(db: Executor): Promise<RiskLimits> {
  const settings = await getSettings(db);
  return {
    dead_air_s: settings.risk_dead_air_s,
    overtalk_s: settings.risk_overtalk_s,
    low_csat_max: settings.risk_low_csat_max,
  };
}
