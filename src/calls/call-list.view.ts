// The call list's filter chips, sortable headers and saved-view query strings, built from the parsed query.
import type { CallListQuery } from './calls.schemas';

export interface FilterChip {
  label: string;
  removeHref: string;
}

type Named = { id: number; name: string };

const CHOICES: Record<string, Record<string, string>> = {
  evaluated: { true: 'Scored', false: 'Not yet scored' },
  recording: { with: 'With recording', without: 'Without recording' },
  transcript: { with: 'With transcript', without: 'Without transcript' },
  analysis: { done: 'Analysed', pending: 'Waiting for analysis', failed: 'Analysis failed' },
  direction: { inbound: 'Inbound', outbound: 'Outbound' },
};

const LABELS: Record<string, (value: string) => string> = {
  agent: (v) => `Agent: ${v}`,
  from: (v) => `From ${v}`,
  to: (v) => `To ${v}`,
  days: (v) => `Last ${v} day${v === '1' ? '' : 's'}`,
  category: (v) => `Category: ${v}`,
  min_duration: (v) => `Duration ≥ ${v} s`,
  max_duration: (v) => `Duration ≤ ${v} s`,
  min_hold: (v) => `Hold ≥ ${v} s`,
  max_hold: (v) => `Hold ≤ ${v} s`,
  min_talk_ratio: (v) => `Agent talk ≥ ${Math.round(Number(v) * 100)}%`,
  max_talk_ratio: (v) => `Agent talk ≤ ${Math.round(Number(v) * 100)}%`,
  min_dead_air: (v) => `Dead air ≥ ${v} s`,
  min_overtalk: (v) => `Overtalk ≥ ${v} s`,
};

/** The query's filters (no paging, no defaults) as URL parameters, in a stable order. */
export function filterParams(query: Partial<CallListQuery>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'cursor' || key === 'limit' || value === undefined || value === '') continue;
    if (key === 'sort' && value === 'started_at') continue;
    if (key === 'order' && value === 'desc') continue;
    params.set(key, String(value));
  }
  return params;
}

function without(params: URLSearchParams, key: string): string {
  const rest = new URLSearchParams(params);
  rest.delete(key);
  const text = rest.toString();
  return text ? `/calls?${text}` : '/calls';
}

/** One removable chip per active filter (teams and the topic by name, given the names the list knows). */
export function filterChips(query: Partial<CallListQuery>, teams: Named[], topics: Named[] = []): FilterChip[] {
  const params = filterParams(query);
  const chips: FilterChip[] = [];
  for (const [key, value] of params) {
    if (key === 'sort' || key === 'order') continue;
    let label: string | undefined;
    if (key === 'team_id') label = `Team: ${teams.find((t) => String(t.id) === value)?.name ?? value}`;
    else if (key === 'topic') label = `Topic: ${topics.find((t) => String(t.id) === value)?.name ?? `#${value}`}`;
    else label = CHOICES[key]?.[value] ?? LABELS[key]?.(value);
    if (label) chips.push({ label, removeHref: without(params, key) });
  }
  return chips;
}

export const SORTABLE = [
  ['started_at', 'Time'],
  ['duration_s', 'Duration'],
  ['queue_wait_s', 'Wait'],
  ['hold_s', 'Hold'],
  ['csat', 'CSAT'],
] as const;

/** Each sortable column's link (toggling the order when it is the current sort) and its aria-sort. */
export function sortLinks(query: Partial<CallListQuery>) {
  const current = query.sort ?? 'started_at';
  const order = query.order ?? 'desc';
  const links: Record<string, { href: string; ariaSort: 'ascending' | 'descending' | 'none' }> = {};
  for (const [column] of SORTABLE) {
    const params = filterParams({
      ...query,
      sort: column,
      order: column === current && order === 'desc' ? 'asc' : 'desc',
    });
    const text = params.toString();
    links[column] = {
      href: text ? `/calls?${text}` : '/calls',
      ariaSort: column !== current ? 'none' : order === 'asc' ? 'ascending' : 'descending',
    };
  }
  return links;
}
