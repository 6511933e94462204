// Erlang C (the M/M/N queue contact centers staff by): from the calls offered in an interval and their average
// handle time, the fewest agents that answer the target share of calls within the threshold.

/** The chance a call waits at all with `agents` agents and `erlangs` of traffic (Erlang C); 1 when overloaded. */
export function erlangC(agents: number, erlangs: number): number {
  if (erlangs <= 0) return 0;
  if (agents <= erlangs) return 1;
  // Erlang B by its recursion (no factorials, no overflow), then C from B.
  let b = 1;
  for (let n = 1; n <= agents; n += 1) b = (erlangs * b) / (n + erlangs * b);
  return (agents * b) / (agents - erlangs * (1 - b));
}

/** The share of calls answered within `thresholdS` seconds (Erlang C's service level). */
export function erlangServiceLevel(agents: number, erlangs: number, ahtS: number, thresholdS: number): number {
  if (erlangs <= 0) return 1;
  if (agents <= erlangs) return 0;
  return 1 - erlangC(agents, erlangs) * Math.exp((-(agents - erlangs) * thresholdS) / ahtS);
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

/** The fewest agents meeting the target (0 when no calls are offered). */
export function agentsNeeded({ calls, ahtS, intervalS, target, thresholdS }: StaffingInput): number {
  if (calls <= 0 || ahtS <= 0) return 0;
  const erlangs = (calls * ahtS) / intervalS;
  let agents = Math.max(1, Math.floor(erlangs) + 1);
  // A target of 100% is only approached: stop where another agent adds less than a millionth.
  while (erlangServiceLevel(agents, erlangs, ahtS, thresholdS) < Math.min(target, 0.999999) && agents < 100_000) {
    agents += 1;
  }
  return agents;
}
