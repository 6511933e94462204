import type { AppDeps } from '../deps';
import { teamScope, type Actor } from '../policy';
import { itemsOfDisputes, listDisputes, type DisputeRow } from './disputes.queries';

// Disputes per evaluator and per item: how many, how many were upheld or changed, and how long they took.

const DAY_MS = 86_400_000;
const REPORT_LIMIT = 10_000;

export interface Tally {
  total: number;
  open: number;
  upheld: number;
  changed: number;
  /** Share of decided ones that were changed (null while none is decided). */
  changedShare: number | null;
  avgDaysToResolve: number | null;
}

function tally(rows: Array<{ status: string; changed: boolean; days: number | null }>): Tally {
  const decided = rows.filter((r) => r.status !== 'open');
  const changed = decided.filter((r) => r.changed).length;
  const days = rows.map((r) => r.days).filter((d): d is number => d !== null);
  return {
    total: rows.length,
    open: rows.length - decided.length,
    upheld: decided.length - changed,
    changed,
    changedShare: decided.length ? changed / decided.length : null,
    avgDaysToResolve: days.length ? days.reduce((s, d) => s + d, 0) / days.length : null,
  };
}

function daysToResolve(d: DisputeRow): number | null {
  return d.resolved_at ? (Date.parse(d.resolved_at) - Date.parse(d.opened_at)) / DAY_MS : null;
}

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/** The dispute report over the actor's teams (an admin: all), optionally for disputes opened from/to. */
export async function disputeReport(deps: AppDeps, actor: Actor, filter: { from?: string; to?: string }) {
  const scope = await teamScope(deps.db, actor);
  const disputes = await listDisputes(deps.db, { scope, ...filter, limit: REPORT_LIMIT });
  const items = await itemsOfDisputes(
    deps.db,
    disputes.map((d) => d.id),
  );
  const byId = new Map(disputes.map((d) => [d.id, d]));
  const asDispute = (d: DisputeRow) => ({ status: d.status, changed: d.status === 'rescored', days: daysToResolve(d) });

  const evaluators = [...groupBy(disputes, (d) => d.evaluator_id).values()]
    .map((rows) => ({ name: rows[0].evaluator_name, ...tally(rows.map(asDispute)) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));

  const perItem = [...groupBy(items, (i) => i.item_id).values()]
    .map((rows) => {
      const dispute = byId.get(rows[0].dispute_id)!;
      return {
        prompt: rows[0].prompt,
        section: rows[0].section,
        rubric: `${dispute.rubric_name} v${dispute.rubric_version}`,
        ...tally(
          rows.map((i) => {
            const parent = byId.get(i.dispute_id)!;
            return {
              status: parent.status,
              changed: parent.status !== 'open' && i.points_after !== i.points_before,
              days: daysToResolve(parent),
            };
          }),
        ),
      };
    })
    .sort((a, b) => b.total - a.total || a.prompt.localeCompare(b.prompt));

  return {
    overall: tally(disputes.map(asDispute)),
    evaluators,
    items: perItem,
    truncated: disputes.length === REPORT_LIMIT,
  };
}
