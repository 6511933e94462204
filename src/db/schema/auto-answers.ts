import type { ColumnType, Selectable } from 'kysely';

// Beside each submitted answer of a ruled item, the rule's answer for the same call (issue 16: accuracy).

export interface EvaluationAutoAnswersTable {
  evaluation_id: number;
  item_id: number;
  /** The rubric version (its rules are frozen with it). */
  rubric_id: number;
  call_id: number;
  /** The rule's answer in stored form; null when it could not answer. */
  rule_value: string | null;
  /** The person's answer at submit, kept in step by rescores. */
  human_value: string | null;
  /** 1 when the scoring form showed the rule's answer as a suggestion. */
  suggested: ColumnType<number, number | undefined, number>;
  reason: string;
  /** The first piece of evidence's start, for opening the call there. */
  evidence_s: number | null;
  recorded_at: string;
}
export type EvaluationAutoAnswer = Selectable<EvaluationAutoAnswersTable>;
