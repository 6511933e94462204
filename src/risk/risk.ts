import { z } from 'zod';

// Risk flags on a call, for the supervisor's review queue and risk-based sampling (issue 16). A call is flagged
// when a critical rubric item failed automatically, its dead air or overtalk is over the limits below, or its
// CSAT is low. Staff only: a CSR never sees a flag (silent monitoring).

export const RISK_KINDS = ['critical', 'dead_air', 'overtalk', 'low_csat'] as const;
export type RiskKind = (typeof RISK_KINDS)[number];

/** The limits a call is flagged over: the longest dead-air stretch, the overtalk in all, the lowest good CSAT. */
export const RISK_LIMITS = Object.freeze({ dead_air_s: 10, overtalk_s: 5, low_csat_max: 2 });

export const RISK_LABELS: Record<RiskKind, string> = {
  critical: 'Critical item failed automatically',
  dead_air: `Dead air over ${RISK_LIMITS.dead_air_s} s`,
  overtalk: `Overtalk over ${RISK_LIMITS.overtalk_s} s`,
  low_csat: `CSAT ${RISK_LIMITS.low_csat_max} or below`,
};

/** The risk facts of one call as the queries select them. */
export interface RiskFacts {
  risk_critical: string | null;
  risk_dead_air_s: number | null;
  risk_overtalk_s: number | null;
  risk_csat: number | null;
}

const seconds = (value: number) => `${Number(value).toFixed(1)} s`;

/** Why a call is flagged, one plain sentence per flag; empty when it is not. */
export function riskReasons(facts: RiskFacts): string[] {
  const reasons: string[] = [];
  if (facts.risk_critical !== null) reasons.push(`Critical item failed automatically: “${facts.risk_critical}”`);
  const deadAir = facts.risk_dead_air_s === null ? null : Number(facts.risk_dead_air_s);
  if (deadAir !== null && deadAir > RISK_LIMITS.dead_air_s)
    reasons.push(`Dead air of ${seconds(deadAir)} (limit ${RISK_LIMITS.dead_air_s} s)`);
  const overtalk = facts.risk_overtalk_s === null ? null : Number(facts.risk_overtalk_s);
  if (overtalk !== null && overtalk > RISK_LIMITS.overtalk_s)
    reasons.push(`Overtalk of ${seconds(overtalk)} in all (limit ${RISK_LIMITS.overtalk_s} s)`);
  const csat = facts.risk_csat === null ? null : Number(facts.risk_csat);
  if (csat !== null && csat <= RISK_LIMITS.low_csat_max)
    reasons.push(`Low CSAT: ${csat} of 5 (${RISK_LIMITS.low_csat_max} or below)`);
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
}
