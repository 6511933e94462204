// The risk room's door: flags on a call (critical item failed automatically, dead air or overtalk over the
// limits, low CSAT) for the review queue and risk-based sampling; the limits are settings. Staff only.
// Import "../risk".
export { DEFAULT_RISK_LIMITS, RISK_KINDS, riskLabels, riskQuerySchema, riskReasons } from './risk';
export type { RiskFacts, RiskKind, RiskLimits, RiskQuery } from './risk';
export { anyRisk, criticalFailedPrompt, deadAirLongest, overtalkTotal, riskCondition, riskCount } from './risk.queries';
export { riskLimits } from './risk.settings';
