// The automatic-rule engine: the rule language, its evaluation on a call's facts, and the accuracy math that
// measures rules against people, and the dry run that tries a condition on the latest analysed calls. No routes
// (docs/AUTOQA.md).
export {
  autoModeSchema,
  conditionSchema,
  ruleSchema,
  MAX_CONDITIONS,
  MAX_DEPTH,
  MAX_PHRASES,
  MAX_PHRASE_CHARS,
  type AutoMode,
  type Condition,
  type ConditionInput,
  type PhraseSpec,
  type Rule,
  type RuleAnswer,
  type RuleInput,
  type SpeakerFilter,
} from './rule.schemas';
export { checkRuleAnswers, resolveAnswer, resolveRule, type RuleItem, type RuleItemOption } from './answers';
export { evaluateCondition, evaluateRule, suggestAnswers, type SuggestedAnswer } from './evaluate';
export { clock } from './conditions';
export { DEFAULT_RULES } from './defaults';
export { toWords, phraseWords, type Words } from './words';
export type {
  AnalysisStatus,
  CallFacts,
  ConditionResult,
  Evidence,
  EvidenceJson,
  RuleResult,
  Speaker,
  Stretch,
  TranscriptLine,
  Truth,
} from './types';
export { evidenceJson } from './types';
export {
  cohensKappa,
  isFailing,
  ruleAccuracy,
  wilsonInterval,
  TRUST_MIN_KAPPA,
  TRUST_MIN_N,
  type Accuracy,
  type AccuracyItem,
  type AnswerPair,
  type Interval,
} from './accuracy';
export { factsOf, loadCallFacts } from './autoqa.service';
export { CALL_FACT_COLUMNS, callForFacts, type CallForFacts } from './autoqa.queries';
export {
  conditionOnLatestCalls,
  parseJsonField,
  DRY_RUN_CALLS,
  type ConditionOnCall,
  type JsonFieldMessages,
} from './dry-run';
