import { sql, type RawBuilder } from 'kysely';
import type { RiskKind, RiskLimits } from './risk';

// SQL pieces over a query that has the `calls` table in scope: the risk facts of the call (scalar subqueries,
// so any query over calls can add them) and the conditions that flag it. Portable SQLite/PostgreSQL. The
// limits (settings, validated numbers) are written as literals: callers that bind parameters by hand see no
// new ones.

/** A critical item a current automatic evaluation of the call failed (the first by name), or null. */
export function criticalFailedPrompt(callRef = 'calls.id'): RawBuilder<string | null> {
  return sql<string | null>`(select min(i.prompt) from auto_evaluations ae
    inner join auto_evaluation_answers aa on aa.auto_evaluation_id = ae.id
    inner join rubric_items i on i.id = aa.item_id
    where ae.call_id = ${sql.ref(callRef)} and aa.failed = 1 and i.critical = 1)`;
}

export function deadAirLongest(callRef = 'calls.id'): RawBuilder<number | null> {
  return sql<number | null>`(select ca.dead_air_longest_s from call_analyses ca
    where ca.call_id = ${sql.ref(callRef)} and ca.status = 'done')`;
}

export function overtalkTotal(callRef = 'calls.id'): RawBuilder<number | null> {
  return sql<number | null>`(select ca.overtalk_total_s from call_analyses ca
    where ca.call_id = ${sql.ref(callRef)} and ca.status = 'done')`;
}

/** One flag's condition: true when the call has it. */
export function riskCondition(kind: RiskKind, limits: RiskLimits, callRef = 'calls.id'): RawBuilder<boolean> {
  switch (kind) {
    case 'critical':
      return sql<boolean>`exists (select 1 from auto_evaluations ae
        inner join auto_evaluation_answers aa on aa.auto_evaluation_id = ae.id
        inner join rubric_items i on i.id = aa.item_id
        where ae.call_id = ${sql.ref(callRef)} and aa.failed = 1 and i.critical = 1)`;
    case 'dead_air':
      return sql<boolean>`exists (select 1 from call_analyses ca where ca.call_id = ${sql.ref(callRef)}
        and ca.status = 'done' and ca.dead_air_longest_s > ${sql.lit(Number(limits.dead_air_s))})`;
    case 'overtalk':
      return sql<boolean>`exists (select 1 from call_analyses ca where ca.call_id = ${sql.ref(callRef)}
        and ca.status = 'done' and ca.overtalk_total_s > ${sql.lit(Number(limits.overtalk_s))})`;
    case 'low_csat': {
      const csat = sql.ref(callRef.replace(/\.id$/, '.csat'));
      return sql<boolean>`(${csat} is not null and ${csat} <= ${sql.lit(Number(limits.low_csat_max))})`;
    }
  }
}

/** The call has at least one flag. */
export function anyRisk(limits: RiskLimits, callRef = 'calls.id'): RawBuilder<boolean> {
  const kinds: RiskKind[] = ['critical', 'dead_air', 'overtalk', 'low_csat'];
  return sql<boolean>`(${sql.join(
    kinds.map((k) => riskCondition(k, limits, callRef)),
    sql` or `,
  )})`;
}

/** How many flags the call has (0 to 4), to sort the riskiest first. */
export function riskCount(limits: RiskLimits, callRef = 'calls.id'): RawBuilder<number> {
  const kinds: RiskKind[] = ['critical', 'dead_air', 'overtalk', 'low_csat'];
  return sql<number>`(${sql.join(
    kinds.map((k) => sql`case when ${riskCondition(k, limits, callRef)} then 1 else 0 end`),
    sql` + `,
  )})`;
}
