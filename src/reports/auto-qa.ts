import { isFailing, ruleAccuracy, type Accuracy } from '../autoqa';
import type { Executor } from '../db/transaction';
import { teamScope, type Actor } from '../policy';
import { loadRubric, type FullItem, type FullRubric } from '../rubrics';
import {
  callCounts,
  recordedPairs,
  ruledRubricIds,
  storedAutoCounts,
  type PairQuery,
  type RecordedPair,
} from './auto-qa.queries';
import { teamFilterOf, type ReportFilter } from './filters';

// Automatic answers measured against people (DOMAIN.md, Automatic analysis; API.md wave 2, /reports/auto-qa).
// Per item of a rubric version: on the calls both a person and the rule answered, the 2×2 table of failing
// answers and its agreement, precision, recall and Cohen's kappa (autoqa/accuracy.ts). A call scored more than
// once counts once, with its newest scorecard. "Trusted" needs n ≥ 30 and kappa ≥ 0.6; kappa is null ("n/a")
// when it is undefined (one side constant), never 0.

export interface ItemAccuracy {
  item: FullItem;
  rubric: FullRubric;
  accuracy: Accuracy;
  /** Of the pairs, those where the person saw the rule's answer as a suggestion. */
  suggested: number;
}

const itemsWithRules = (rubric: FullRubric) => rubric.sections.flatMap((s) => s.items).filter((i) => i.auto);

/** Newest pair per call and item (pairs arrive newest first). */
function newestPerCall(pairs: readonly RecordedPair[]): RecordedPair[] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const key = `${p.call_id}:${p.item_id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function rubricsOf(db: Executor, ids: readonly number[]): Promise<FullRubric[]> {
  const loaded = await Promise.all(ids.map((id) => loadRubric(db, id)));
  return loaded.filter((r): r is FullRubric => r !== undefined);
}

function accuracyOf(rubrics: readonly FullRubric[], pairs: readonly RecordedPair[]): ItemAccuracy[] {
  const byItem = new Map<number, RecordedPair[]>();
  for (const pair of newestPerCall(pairs)) {
    const list = byItem.get(pair.item_id) ?? [];
    list.push(pair);
    byItem.set(pair.item_id, list);
  }
  return rubrics.flatMap((rubric) =>
    itemsWithRules(rubric).map((item) => {
      const list = byItem.get(item.id) ?? [];
      const accuracy = ruleAccuracy(
        item,
        list.map((p) => ({ human: p.human_value, rule: p.rule_value })),
      );
      const both = (p: RecordedPair) =>
        isFailing(item, p.rule_value) !== null && isFailing(item, p.human_value) !== null;
      const suggested = list.filter((p) => p.suggested === 1 && both(p)).length;
      return { item, rubric, accuracy, suggested };
    }),
  );
}

/** The teams an actor sees, as the pair and call queries take them. */
async function scopeOf(db: Executor, actor: Actor): Promise<readonly number[] | null> {
  const scope = await teamScope(db, actor);
  return scope.all ? null : scope.teamIds;
}

export interface Disagreement {
  pair: RecordedPair;
  item: FullItem;
  /** The call page at the evidence (player.js seeks to #t=). */
  href: string;
}

function disagreementsOf(rubric: FullRubric, pairs: readonly RecordedPair[], limit: number): Disagreement[] {
  const items = new Map(itemsWithRules(rubric).map((i) => [i.id, i]));
  const out: Disagreement[] = [];
  for (const pair of newestPerCall(pairs)) {
    const item = items.get(pair.item_id);
    if (!item) continue;
    const human = isFailing(item, pair.human_value);
    const rule = isFailing(item, pair.rule_value);
    if (human === null || rule === null || human === rule) continue;
    const at = pair.evidence_s === null ? '' : `#t=${Math.floor(pair.evidence_s)}`;
    out.push({ pair, item, href: `/calls/${pair.call_id}${at}` });
    if (out.length >= limit) break;
  }
  return out;
}

/** The rubric page's accuracy section: every rule of this version over all time, in the actor's teams. */
export async function rubricAccuracy(db: Executor, actor: Actor, rubric: FullRubric) {
  if (itemsWithRules(rubric).length === 0) return null;
  const pairs = await recordedPairs(db, { rubricIds: [rubric.id], teamIds: await scopeOf(db, actor) });
  return { items: accuracyOf([rubric], pairs), disagreements: disagreementsOf(rubric, pairs, 10) };
}

/** The disagreements page: the newest calls where a person and a rule of this version disagreed. */
export async function rubricDisagreements(db: Executor, actor: Actor, rubric: FullRubric, limit = 200) {
  const pairs = await recordedPairs(db, { rubricIds: [rubric.id], teamIds: await scopeOf(db, actor) });
  return disagreementsOf(rubric, pairs, limit);
}

/**
 * GET /api/v1/reports/auto-qa: the period's calls, analysed calls, and per ruled item coverage (from the stored
 * automatic evaluations) and accuracy against people.
 */
export async function autoQaReport(db: Executor, filter: ReportFilter, rubricId: number | undefined) {
  const rubrics = await rubricsOf(db, rubricId === undefined ? await ruledRubricIds(db) : [rubricId]);
  const teamIds = teamFilterOf(filter);
  const calls = { teamIds, from: filter.from, to: filter.to };
  const pairQuery: PairQuery = { rubricIds: rubrics.map((r) => r.id), ...calls };
  const [counts, stored, pairs] = await Promise.all([
    callCounts(db, calls),
    storedAutoCounts(
      db,
      rubrics.map((r) => r.id),
      calls,
    ),
    recordedPairs(db, pairQuery),
  ]);
  // Answered and failed come from the automatic evaluations the auto-mode runner stored (rubrics in auto mode),
  // not from running the rules again at request time.
  const coverage = new Map(stored.map((c) => [c.item_id, c]));
  return {
    ...counts,
    items: accuracyOf(rubrics, pairs).map(({ item, rubric, accuracy: a }) => {
      const c = coverage.get(item.id) ?? { answered: 0, failed: 0 };
      return {
        item_id: item.id,
        rubric_id: rubric.id,
        prompt: item.prompt,
        answered: c.answered,
        failed: c.failed,
        fail_rate: c.answered > 0 ? c.failed / c.answered : null,
        agreement: {
          n: a.n,
          agreed: a.agreed,
          kappa: a.kappa,
          kappa_ci95: a.kappa_ci ? [a.kappa_ci.low, a.kappa_ci.high] : null,
          precision: a.precision,
          recall: a.recall,
        },
        trusted: a.trusted,
      };
    }),
  };
}
