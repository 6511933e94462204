import type { DB } from '../db/database';
import { autoAnswerRows, autoEvaluationRows, optionLabels } from './call-view.queries';

// The call page's "Automatic evaluation" panel: per rubric in auto mode, the score the rules gave with no
// person involved, and per item the answer, its reason and the evidence times (which seek the recording).

export interface AutoEvidence {
  kind: string;
  start_s: number;
  end_s: number;
  speaker: string | null;
  text: string | null;
}

export interface AutoAnswerView {
  item_id: number;
  prompt: string;
  critical: boolean;
  /** The answer as shown ("yes", "3", an option's label), or null when the rule could not answer. */
  answer: string | null;
  failed: boolean | null;
  reason: string;
  evidence: AutoEvidence[];
}

export interface AutoEvaluationView {
  id: number;
  rubric_id: number;
  rubric: string;
  version: number;
  current: boolean;
  score: number | null;
  raw_score: number | null;
  passed: boolean | null;
  critical_failed: boolean;
  evaluated_at: string;
  answers: AutoAnswerView[];
}

function evidenceOf(json: string): AutoEvidence[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? (parsed as AutoEvidence[]) : [];
  } catch {
    return [];
  }
}

/** A call's automatic evaluations for the call page (the caller has checked the viewer is staff). */
export async function autoEvaluationsOfCall(db: DB, callId: number): Promise<AutoEvaluationView[]> {
  const evaluations = await autoEvaluationRows(db, callId);
  const answers = await autoAnswerRows(
    db,
    evaluations.map((e) => e.id),
  );
  const labels = new Map(
    (await optionLabels(db, [...new Set(answers.map((a) => a.item_id))])).map((o) => [String(o.id), o.label]),
  );
  return evaluations.map((e) => ({
    id: e.id,
    rubric_id: e.rubric_id,
    rubric: e.rubric_name,
    version: e.rubric_version,
    current: e.rubric_status === 'published',
    score: e.score,
    raw_score: e.raw_score,
    passed: e.passed === null ? null : e.passed === 1,
    critical_failed: e.critical_failed === 1,
    evaluated_at: e.evaluated_at,
    answers: answers
      .filter((a) => a.auto_evaluation_id === e.id)
      .map((a) => ({
        item_id: a.item_id,
        prompt: a.prompt,
        critical: a.critical === 1,
        answer: a.value === null ? null : (labels.get(a.value) ?? a.value),
        failed: a.failed === null ? null : a.failed === 1,
        reason: a.reason,
        evidence: evidenceOf(a.evidence),
      })),
  }));
}
