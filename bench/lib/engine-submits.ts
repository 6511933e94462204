/**
 * Scorecard submits for the engines bench (issue 17: ≥ 600/s with two app processes on PostgreSQL): autocannon
 * posts complete scorecards (`POST /api/v1/evaluations`, `submit: true`), each on the next fresh call of its
 * pool, as the first supervisor of that call's team, to one server or split over several at once.
 */
import { createToken } from './http';
import { runLoad } from './load';
import { answersFor, type FreshCall, type SampleRubric } from './samples';
import { round } from './stats';

export interface SubmitTarget {
  baseUrl: string;
  pid: number;
}

export interface SubmitRun {
  label: string;
  processes: number;
  connections: number;
  durationS: number;
  /** 201 responses per second over all processes. */
  submitsPerSec: number;
  created: number;
  non201: Record<string, number>;
  /** Median latency of each process's submits, ms. */
  latencyMedianMs: number[];
  /** Calls of the pool used more than once (the pool ran out): should be 0. */
  reusedCalls: number;
}

/** A bearer token per team, for that team's first supervisor. */
export async function teamTokens(
  baseUrl: string,
  password: string,
  supervisorOf: Map<number, string>,
): Promise<Map<number, string>> {
  const byUser = new Map<string, string>();
  const out = new Map<number, string>();
  for (const [team, username] of supervisorOf) {
    if (!byUser.has(username)) byUser.set(username, `Bearer ${await createToken(baseUrl, username, password)}`);
    out.set(team, byUser.get(username)!);
  }
  return out;
}

/**
 * `connections` spread evenly over `targets`, for `durationS`; each target takes its own slice of `pool`, so no
 * call is scored twice. Tokens are per target (a token made on one server is valid on another only when they
 * share a database, which two PostgreSQL processes do).
 */
export async function submitLoad(
  label: string,
  targets: Array<SubmitTarget & { tokens: Map<number, string> }>,
  rubric: SampleRubric,
  pool: FreshCall[],
  connections: number,
  durationS: number,
): Promise<SubmitRun> {
  const share = Math.floor(pool.length / targets.length);
  let reused = 0;
  const loads = await Promise.all(
    targets.map((target, i) => {
      const calls = pool.slice(i * share, (i + 1) * share);
      let next = 0;
      return runLoad({
        baseUrl: target.baseUrl,
        pid: target.pid,
        title: `${label} (process ${i + 1})`,
        connections: Math.max(1, Math.round(connections / targets.length)),
        durationS,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/evaluations',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => {
              if (next >= calls.length) reused += 1;
              const call = calls[next % calls.length];
              next += 1;
              const body = JSON.stringify({
                call_id: call.id,
                rubric_id: rubric.id,
                answers: answersFor(rubric, next),
                comment: 'See the item comments.',
                submit: true,
                time_spent_s: 240,
              });
              return { ...req, headers: { ...req.headers, authorization: target.tokens.get(call.teamId)! }, body };
            },
          },
        ],
      });
    }),
  );
  const created = loads.reduce((n, l) => n + (l.statusCounts['201'] ?? 0), 0);
  const non201: Record<string, number> = {};
  for (const l of loads) {
    for (const [code, n] of Object.entries(l.statusCounts)) if (code !== '201') non201[code] = (non201[code] ?? 0) + n;
  }
  const seconds = Math.max(...loads.map((l) => l.durationS));
  return {
    label,
    processes: targets.length,
    connections,
    durationS: seconds,
    submitsPerSec: round(created / seconds, 1),
    created,
    non201,
    latencyMedianMs: loads.map((l) => round(l.latency.median)),
    reusedCalls: reused,
  };
}
