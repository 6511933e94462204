import { evidenceJson, loadCallFacts, suggestAnswers, type EvidenceJson } from '../autoqa';
import type { DB } from '../db/database';
import { NotFound } from '../lib/errors';
import { loadRubric, scoringModel, type FullRubric } from '../rubrics';
import { computeScore } from '../scoring';

// Suggested answers for a call: each ruled item's answer by its rule, with the reason and evidence, and the
// score those answers would give by the DOMAIN math, which needs an answer for every item.

export type SuggestionEvidence = EvidenceJson;

export interface Suggestion {
  item_id: number;
  value: string | null;
  reason: string;
  evidence: SuggestionEvidence[];
}

export interface Suggestions {
  rubric_id: number;
  answers: Suggestion[];
  score: number | null;
  raw_score: number | null;
  passed: boolean | null;
}

/** The suggestions of a rubric version's rules for a call (the call must exist). */
export async function suggestionsFor(db: DB, callId: number, rubric: FullRubric): Promise<Suggestions> {
  const facts = await loadCallFacts(db, callId);
  if (!facts) throw new NotFound('No such call.');
  const items = rubric.sections.flatMap((s) => s.items);
  const answers = suggestAnswers(items, facts).map((a) => ({ ...a, evidence: a.evidence.map(evidenceJson) }));
  const values = new Map(answers.map((a) => [a.item_id, a.value]));
  const complete = items.every((item) => (values.get(item.id) ?? null) !== null);
  const result = complete ? computeScore(scoringModel(rubric), Object.fromEntries(values)) : null;
  return {
    rubric_id: rubric.id,
    answers,
    score: result?.score ?? null,
    raw_score: result?.raw_score ?? null,
    passed: result?.passed ?? null,
  };
}

/** A rubric version for suggestions, or 404. */
export async function suggestionRubricOr404(db: DB, rubricId: number): Promise<FullRubric> {
  const rubric = await loadRubric(db, rubricId);
  if (!rubric) throw new NotFound('No such rubric.');
  return rubric;
}
