import { z } from 'zod';

// Risk flags on a call, for the supervisor's review queue and risk-based sampling (issue 16). A call is flagged
// when a critical rubric item failed automatically, its dead air or overtalk is over the limits below, or its
// CSAT is low. The limits are settings (the settings page, PATCH /api/v1/settings): riskLimits reads them.
// Staff only: a CSR never sees a flag (silent monitoring).

export const RISK_KINDS = ['critical', 'dead_air', 'overtalk', 'low_csat'] as const;
export type RiskKind = (typeof RISK_KINDS)[number];

/**
 * The limits a call is flagged over: its longest dead-air stretch over `dead_air_s`, its overtalk in all over
 * `overtalk_s`, its CSAT at `low_csat_max` or below.
 */
export interface RiskLimits {
  dead_air_s: number;
  overtalk_s: number;
  low_csat_max: number;
}

/** The limits until an admin changes them (the settings' defaults). */
export const DEFAULT_RISK_LIMITS: Readonly<RiskLimits> = Object.freeze({
  dead_air_s: 10,
  overtalk_s: 5,
  low_csat_max: 2,
});

/** The filter's labels under the limits in force. */
export function riskLabels(limits: RiskLimits): Record<RiskKind, string> {
  return {
    critical: 'Critical item failed automatically',
    dead_air: `Dead air over ${limits.dead_air_s} s`,
    overtalk: `Overtalk over ${limits.overtalk_s} s`,
    low_csat: `CSAT ${limits.low_csat_max} or below`,
  };
}

/** The risk facts of one call as the queries select them. */
export interface RiskFacts {
  risk_critical: string | null;
  risk_dead_air_s: number | null;
  risk_overtalk_s: number | null;
  risk_csat: number | null;
}

const seconds = (value: number) => `${Number(value).toFixed(1)} s`;

/** Why a call is flagged, one plain sentence per flag; empty when it is not. */
export function riskReasons(facts: RiskFacts, limits: RiskLimits): string[] {
  const reasons: string[] = [];
  if (facts.risk_critical !== null) reasons.push(`Critical item failed automatically: “${facts.risk_critical}”`);
  const deadAir = facts.risk_dead_air_s === null ? null : Number(facts.risk_dead_air_s);
  if (deadAir !== null && deadAir > limits.dead_air_s)
    reasons.push(`Dead air of ${seconds(deadAir)} (limit ${limits.dead_air_s} s)`);
  const overtalk = facts.risk_overtalk_s === null ? null : Number(facts.risk_overtalk_s);
  if (overtalk !== null && overtalk > limits.overtalk_s)
    reasons.push(`Overtalk of ${seconds(overtalk)} in all (limit ${limits.overtalk_s} s)`);
  const csat = facts.risk_csat === null ? null : Number(facts.risk_csat);
  if (csat !== null && csat <= limits.low_csat_max)
    reasons.push(`Low CSAT: ${csat} of 5 (${limits.low_csat_max} or below)`);
  return reasons;
}

/** The queue's risk filter and order: ?risk=any|critical|dead_air|overtalk|low_csat, ?sort=risk|newest. */
export const riskQuerySchema = z.object({
  risk: z
    .enum(['', 'any', ...RISK_KINDS], {
      error: 'Risk is any, critical, dead_air, overtalk or low_csat (or blank for every call).',
    })
    .default(''),
  sort: z.enum(['', 'newest', 'risk'], { error: 'Sort by newest or risk.' }).default(''),
});

export interface RiskQuery {
  /** No filter, any flag, or one kind of flag. */
  risk: '' | 'any' | RiskKind;
  sort: 'newest' | 'risk';
  /** The limits in force (riskLimits). */
  limits: RiskLimits;
}
