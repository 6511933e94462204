import type { AppDeps } from '../deps';
import { teamScope, type Actor } from '../policy';
import { itemsOfDisputes, listDisputes, type DisputeRow } from './disputes.queries';
import { openedIn } from './disputes.schemas';

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

/** Rows grouped by key, in order of first appearance; a group is never empty, so it carries its first row. */
function groupBy<T, K>(rows: T[], key: (row: T) => K): Array<{ first: T; rows: T[] }> {
  const groups = new Map<K, { first: T; rows: T[] }>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.rows.push(row);
    else groups.set(key(row), { first: row, rows: [row] });
  }
  return [...groups.values()];
}

/** The dispute report over the actor's teams (an admin: all), optionally for disputes opened from/to. */
export async function disputeReport(deps: AppDeps, actor: Actor, filter: { from?: string; to?: string }) {
  const scope = await teamScope(deps.db, actor);
  const disputes = await listDisputes(deps.db, { scope, ...openedIn(filter), limit: REPORT_LIMIT });
  const items = await itemsOfDisputes(
    deps.db,
    disputes.map((d) => d.id),
  );
  const byId = new Map(disputes.map((d) => [d.id, d]));
  const asDispute = (d: DisputeRow) => ({ status: d.status, changed: d.status === 'rescored', days: daysToResolve(d) });
  // Each item with the dispute it belongs to (every item's dispute is in the list it was fetched for).
  const disputedItems = items.flatMap((item) => {
    const parent = byId.get(item.dispute_id);
    return parent ? [{ ...item, parent }] : [];
  });

  const evaluators = groupBy(disputes, (d) => d.evaluator_id)
    .map(({ first, rows }) => ({ name: first.evaluator_name, ...tally(rows.map(asDispute)) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));

  const perItem = groupBy(disputedItems, (i) => i.item_id)
    .map(({ first, rows }) => ({
      prompt: first.prompt,
      section: first.section,
      rubric: `${first.parent.rubric_name} v${first.parent.rubric_version}`,
      ...tally(
        rows.map(({ parent, points_after, points_before }) => ({
          status: parent.status,
          changed: parent.status !== 'open' && points_after !== points_before,
          days: daysToResolve(parent),
        })),
      ),
    }))
    .sort((a, b) => b.total - a.total || a.prompt.localeCompare(b.prompt));

  return {
    overall: tally(disputes.map(asDispute)),
    evaluators,
    items: perItem,
    truncated: disputes.length === REPORT_LIMIT,
  };
}
