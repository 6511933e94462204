// Daily roll-ups the reports read, and the days a write left stale.

export interface RollupDirtyTable {
  kind: 'calls' | 'scores';
  day: string;
}

export interface RollupCallDayTable {
  day: string;
  team_id: number;
  category: string;
  threshold_s: number;
  calls: number;
  offered: number;
  answered: number;
  abandoned: number;
  within_threshold: number;
  wait_total: number;
  hold_total: number;
  csat_n: number;
  csat_total: number;
  evaluations: number;
  scored: number;
  score_total: number;
}

export interface RollupItemDayTable {
  day: string;
  team_id: number;
  item_id: number;
  answered: number;
  failed: number;
}

export interface RollupItemCsatDayTable {
  day: string;
  team_id: number;
  item_id: number;
  n_passed: number;
  csat_passed: number;
  n_failed: number;
  csat_failed: number;
}

/** Inbound call sums per 15-minute UTC slot (ISO text of its start) and team (0 = none). */
export interface RollupCallSlotTable {
  slot: string;
  team_id: number;
  threshold_s: number;
  offered: number;
  answered: number;
  abandoned: number;
  within_threshold: number;
  wait_total: number;
  hold_total: number;
  handle_total: number;
}
