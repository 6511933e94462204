// Erlang C (the M/M/N queue contact centers staff by): from the calls offered in an interval and their average
// handle time, the fewest agents that answer the target share of calls within the threshold.

/** Erlang B (the chance a call is blocked with `agents` agents and `erlangs` of traffic), by its recursion. */
function erlangB(agents: number, erlangs: number): number {
  // No factorials, no overflow: B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)).
  let b = 1;
  for (let n = 1; n <= agents; n += 1) b = nextErlangB(b, n, erlangs);
  return b;
}

const nextErlangB = (b: number, n: number, erlangs: number) => (erlangs * b) / (n + erlangs * b);

/** Erlang C from Erlang B with the same agents and traffic (agents > erlangs). */
const erlangCFromB = (agents: number, erlangs: number, b: number) => (agents * b) / (agents - erlangs * (1 - b));

/** The chance a call waits at all with `agents` agents and `erlangs` of traffic (Erlang C); 1 when overloaded. */
export function erlangC(agents: number, erlangs: number): number {
  if (erlangs <= 0) return 0;
  if (agents <= erlangs) return 1;
  return erlangCFromB(agents, erlangs, erlangB(agents, erlangs));
}

/** The service level from Erlang C's waiting probability: 1 − C · e^(−(N − A)·T / AHT). */
const serviceLevelOf = (agents: number, erlangs: number, c: number, ahtS: number, thresholdS: number) =>
  1 - c * Math.exp((-(agents - erlangs) * thresholdS) / ahtS);

/** The share of calls answered within `thresholdS` seconds (Erlang C's service level). */
export function erlangServiceLevel(agents: number, erlangs: number, ahtS: number, thresholdS: number): number {
  if (erlangs <= 0) return 1;
  if (agents <= erlangs) return 0;
  return serviceLevelOf(agents, erlangs, erlangC(agents, erlangs), ahtS, thresholdS);
}

export interface StaffingInput {
  /** Calls offered in the interval. */
  calls: number;
  /** Average handle time in seconds (talk + hold + after-call work). */
  ahtS: number;
  /** Interval length in seconds. */
  intervalS: number;
  /** Target share answered in time (0.8) and the threshold (20 s). */
  target: number;
  thresholdS: number;
}

/**
 * The fewest agents meeting the target (0 when no calls are offered). Each agent more takes Erlang B one step of
 * its recursion further, so finding N costs N steps, not a recursion from 1 for every N tried (a 10-million-call
 * center's busiest intervals need hundreds of agents).
 */
export function agentsNeeded({ calls, ahtS, intervalS, target, thresholdS }: StaffingInput): number {
  if (calls <= 0 || ahtS <= 0) return 0;
  const erlangs = (calls * ahtS) / intervalS;
  let agents = Math.max(1, Math.floor(erlangs) + 1);
  let b = erlangB(agents, erlangs);
  // A target of 100% is only approached: stop where another agent adds less than a millionth.
  const goal = Math.min(target, 0.999999);
  while (agents < 100_000) {
    const level = serviceLevelOf(agents, erlangs, erlangCFromB(agents, erlangs, b), ahtS, thresholdS);
    if (level >= goal) break;
    agents += 1;
    b = nextErlangB(b, agents, erlangs);
  }
  return agents;
}
