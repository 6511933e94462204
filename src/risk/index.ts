// The risk room's door: flags on a call (critical item failed automatically, dead air or overtalk over the
// limits, low CSAT) for the review queue and risk-based sampling. Staff only. Import "../risk".
export { RISK_KINDS, RISK_LABELS, RISK_LIMITS, riskQuerySchema, riskReasons } from './risk';
export type { RiskFacts, RiskKind, RiskQuery } from './risk';
export { anyRisk, criticalFailedPrompt, deadAirLongest, overtalkTotal, riskCondition, riskCount } from './risk.queries';
