import type { z } from 'zod';
import type { AppDeps } from '../deps';
import { instantRange } from '../lib/date-range';
import { CSR_VISIBLE, seesOwnScorecardsOnly, teamScope, type Actor } from '../policy';
import { listEvaluations, userIdByUsername } from './evaluations.queries';
import type { evaluationListSchema } from './evaluations.schemas';

/** Evaluations the actor may see, filtered. A CSR's list holds only their own released scorecards. */
export async function searchEvaluations(deps: AppDeps, actor: Actor, query: z.output<typeof evaluationListSchema>) {
  const agentId = query.agent ? ((await userIdByUsername(deps.db, query.agent)) ?? -1) : undefined;
  const calls = instantRange(query);
  const base = {
    rubricId: query.rubric_id,
    callFrom: calls.start,
    callBefore: calls.end,
    beforeId: query.cursor,
    limit: query.limit,
  };
  if (seesOwnScorecardsOnly(actor)) {
    const statuses = query.status ? CSR_VISIBLE.filter((s) => s === query.status) : CSR_VISIBLE;
    if (statuses.length === 0 || (agentId !== undefined && agentId !== actor.id))
      return { items: [], nextBeforeId: null };
    return listEvaluations(deps.db, { ...base, teamIds: 'all', agentId: actor.id, statuses });
  }
  const scope = await teamScope(deps.db, actor);
  return listEvaluations(deps.db, {
    ...base,
    teamIds: scope.all ? 'all' : scope.teamIds,
    agentId,
    statuses: query.status ? [query.status] : undefined,
  });
}
