import type { DB } from '../db/database';
import { NotFound } from '../lib/errors';
import { inTeamScope, teamScope, type Actor } from './scope';
import { CSR_VISIBLE } from './statuses';

/**
 * A call the actor may open: staff within their teams. A CSR only a call with one of their own released
 * evaluations; any other call is a 404, so nothing reveals that their calls are being scored.
 */
export async function visibleCallOr404(db: DB, actor: Actor, callId: number) {
  const call = await db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
  if (!call) throw new NotFound('No such call.');
  if (actor.role === 'csr') {
    const released = await db
      .selectFrom('evaluations')
      .select('id')
      .where('call_id', '=', callId)
      .where('agent_id', '=', actor.id)
      .where('kind', '=', 'standard')
      .where('status', 'in', CSR_VISIBLE)
      .executeTakeFirst();
    if (!released) throw new NotFound('No such call.');
    return call;
  }
  if (!inTeamScope(await teamScope(db, actor), call.team_id)) throw new NotFound('No such call.');
  return call;
}
