import { parse } from 'csv-parse/sync';
import type { User } from '../../src/db/schema';
import type { AppDeps } from '../../src/deps';
import { localDayStartText } from '../../src/lib/date-range';
import { addDays } from '../../src/lib/zones';
import type { ReportFilter } from '../../src/reports/filters';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { itemNamed, publishedRubric, rubricJson, scale, section, type AnswerJson, type Api } from './scoring';

// Fixtures and parsers for the report and dashboard tests: calls written straight into the calls table
// (as the phone system's import would leave them), scorecards submitted through the API, and small
// readers for the HTML tables and CSV downloads so both can be compared figure by figure.

export interface CallFixture {
  started_at: string;
  agent?: User | null;
  team_id?: number | null;
  direction?: 'inbound' | 'outbound';
  queue_wait_s?: number;
  hold_s?: number;
  duration_s?: number;
  abandoned?: boolean;
  csat?: number | null;
  category?: string | null;
  external_id?: string;
}

let callSerial = 0;

function callValues(fixture: CallFixture) {
  callSerial += 1;
  const abandoned = fixture.abandoned ?? false;
  return {
    source: 'default',
    external_id: fixture.external_id ?? `report-call-${callSerial}`,
    agent_id: abandoned ? null : (fixture.agent?.id ?? null),
    team_id: fixture.team_id ?? fixture.agent?.team_id ?? null,
    started_at: fixture.started_at,
    direction: fixture.direction ?? 'inbound',
    category: fixture.category ?? null,
    queue_wait_s: fixture.queue_wait_s ?? 0,
    hold_s: fixture.hold_s ?? 0,
    duration_s: fixture.duration_s ?? 180,
    csat: fixture.csat ?? null,
    abandoned: abandoned ? 1 : 0,
    created_at: '2026-11-23T08:00:00.000Z',
  };
}

/** Inserts one call and returns its id. */
export async function insertCall(deps: AppDeps, fixture: CallFixture): Promise<number> {
  const row = await deps.db.insertInto('calls').values(callValues(fixture)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts many calls in one transaction (in chunks, to stay under SQLite's variable limit); ids in order. */
export async function insertCalls(deps: AppDeps, fixtures: CallFixture[]): Promise<number[]> {
  return deps.db.transaction().execute(async (trx) => {
    const ids: number[] = [];
    for (let i = 0; i < fixtures.length; i += 200) {
      const rows = await trx
        .insertInto('calls')
        .values(fixtures.slice(i, i + 200).map(callValues))
        .returning('id')
        .execute();
      ids.push(...rows.map((r) => r.id));
    }
    return ids;
  });
}

/** A one-item rubric whose score is ten times the answer (0..10), so any score in steps of 10 is easy to make. */
export async function tenPointRubric(
  deps: AppDeps,
  extra: { name?: string; release_mode?: 'on_submit' | 'manual' } = {},
): Promise<FullRubric> {
  return publishedRubric(deps, rubricJson([section('Overall', 1, [scale('Overall quality', 10)])], extra));
}

/** Answers for the ten-point rubric giving this score (a multiple of 10). */
export function tenPointAnswers(rubric: FullRubric, score: number): AnswerJson[] {
  return [{ item_id: itemNamed(rubric, 'Overall quality').id, value: score / 10 }];
}

export interface SubmittedEvaluation {
  id: number;
  status: string;
  score: number | null;
  passed: boolean | null;
  submitted_at: string | null;
}

/** Scores a call through POST /api/v1/evaluations and submits it. */
export async function submitEvaluation(
  client: Api,
  callId: number,
  rubric: FullRubric,
  answers: AnswerJson[],
  opts: { submit?: boolean; time_spent_s?: number } = {},
): Promise<SubmittedEvaluation> {
  const res = await client.post('/api/v1/evaluations', {
    call_id: callId,
    rubric_id: rubric.id,
    answers,
    submit: opts.submit ?? true,
    time_spent_s: opts.time_spent_s ?? 0,
  });
  if (res.status !== 201) throw new Error(`scoring call ${callId} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as SubmittedEvaluation;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#34': '"', '#39': "'", nbsp: ' ' };

/** Visible text of an HTML fragment: tags dropped, entities decoded, white space collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#34|#39|nbsp);/g, (_m, name: string) => ENTITIES[name])
    .replace(/\s+/g, ' ')
    .trim();
}

/** Rows of cell texts of an HTML table (header row included). */
export function tableRows(tableHtml: string): string[][] {
  return [...tableHtml.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => textOf(cell[1])),
  );
}

/** The first table after the first occurrence of `marker` (a heading's text, say). */
export function tableAfter(html: string, marker: string): string[][] {
  const at = html.indexOf(marker);
  if (at < 0) throw new Error(`"${marker}" is not on the page`);
  const start = html.indexOf('<table', at);
  const end = html.indexOf('</table>', start);
  if (start < 0 || end < 0) throw new Error(`no table after "${marker}"`);
  return tableRows(html.slice(start, end + '</table>'.length));
}

/** The HTML after a marker, up to the next `to` marker (or the end). */
export function between(html: string, from: string, to?: string): string {
  const at = html.indexOf(from);
  if (at < 0) throw new Error(`"${from}" is not on the page`);
  const start = at + from.length;
  const end = to === undefined ? -1 : html.indexOf(to, start);
  return html.slice(start, end < 0 ? html.length : end);
}

/** A CSV download as rows of cells (header first). */
export function csvRows(text: string): string[][] {
  return parse(text, { relax_column_count: false }) as string[][];
}

/** Seconds as the pages show them (m:ss), to compare a CSV figure with a page cell. */
export function asDuration(seconds: number): string {
  const total = Math.round(seconds);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * Team A's inbound calls from Monday 2 to Monday 9 November 2026, counted by hand (threshold 30 s):
 * - Mon 2: answered after 10 s (hold 20), 30 s (hold 40), 30.5 s (hold 0), 45 s (hold 60); abandoned after 5 s
 *   (90 s on hold before hanging up) and after 50 s → offered 6, in time 2, abandoned 2, hold 120/4 = 30 s,
 *   wait 115.5/4 = 28.875 s.
 * - Tue 3: answered after 0 s (hold 0) and 20 s (hold 30) → offered 2, in time 2, hold 15 s, wait 10 s.
 * - Wed 4 to Sat 7: no calls.
 * - Sun 8, 23:59:59: answered after 31 s (hold 10) → offered 1, in time 0: a real 0%.
 * - Mon 9, 00:00:00 (the next week): answered after 25 s (hold 5), abandoned after 40 s → offered 2, in time 1.
 */
export function handCountedCalls(csrA: User, csrA2: User, teamA: number): CallFixture[] {
  const day = (d: string, time = '10:00:00') => `2026-11-${d}T${time}.000Z`;
  return [
    { started_at: day('02', '09:00:00'), agent: csrA, queue_wait_s: 10, hold_s: 20 },
    { started_at: day('02', '09:10:00'), agent: csrA, queue_wait_s: 30, hold_s: 40 },
    { started_at: day('02', '09:20:00'), agent: csrA2, queue_wait_s: 30.5, hold_s: 0 },
    { started_at: day('02', '09:30:00'), agent: csrA, queue_wait_s: 45, hold_s: 60 },
    { started_at: day('02', '09:40:00'), team_id: teamA, abandoned: true, queue_wait_s: 5, hold_s: 90 },
    { started_at: day('02', '09:50:00'), team_id: teamA, abandoned: true, queue_wait_s: 50 },
    { started_at: day('03', '00:00:00'), agent: csrA, queue_wait_s: 0, hold_s: 0 },
    { started_at: day('03', '23:59:59'), agent: csrA2, queue_wait_s: 20, hold_s: 30 },
    { started_at: day('08', '23:59:59'), agent: csrA, queue_wait_s: 31, hold_s: 10 },
    { started_at: day('09', '00:00:00'), agent: csrA, queue_wait_s: 25, hold_s: 5 },
    { started_at: day('09', '00:00:01'), team_id: teamA, abandoned: true, queue_wait_s: 40 },
  ];
}

/**
 * The quality fixture, worked out by hand (pass threshold 75). Rubric: Opening (weight 1: "Greeted the
 * caller" yes/no with N/A, "Verified identity" yes/no critical) and Resolution (weight 1: "Accuracy" 0..4).
 * - E1 csrA by supervisorA, 300 s: yes, yes, 4 → 100
 * - E2 csrA by supervisorA, 500 s: N/A, yes, 2 → Opening 100, Resolution 50 → 75 (passes)
 * - E3 csrA2 by the manager, 240 s: no, yes, 3 → 50, 75 → 62.5
 * - E4 csrB by supervisorB, 600 s: yes, no, 4 → critical fail: 0 (raw 75)
 * - a draft by supervisorA (never counts) and a scorecard of the other department's team (out of scope).
 * Items: Accuracy 2 of 4 failed (50%), Greeted 1 of 3 (33.3%, N/A left out), Verified 1 of 4 (25%).
 */
export async function seedQualityFixture(
  deps: AppDeps,
  org: {
    admin: User;
    manager: User;
    supervisorA: User;
    supervisorB: User;
    otherSupervisor: User;
    csrA: User;
    csrA2: User;
    csrB: User;
    otherCsr: User;
  },
  clients: { supervisorA: Api; supervisorB: Api; manager: Api; otherSupervisor: Api },
): Promise<FullRubric> {
  const rubric = await publishedRubric(
    deps,
    rubricJson([
      section('Opening', 1, [
        { prompt: 'Greeted the caller', type: 'yes_no', points: 1, allow_na: true },
        { prompt: 'Verified identity', type: 'yes_no', points: 1, critical: true },
      ]),
      section('Resolution', 1, [scale('Accuracy', 4)]),
    ]),
  );
  const answers = (greeted: string, verified: string, accuracy: number): AnswerJson[] => [
    { item_id: itemNamed(rubric, 'Greeted the caller').id, value: greeted },
    { item_id: itemNamed(rubric, 'Verified identity').id, value: verified },
    { item_id: itemNamed(rubric, 'Accuracy').id, value: accuracy },
  ];
  const call = (agent: User) => insertCall(deps, { started_at: '2026-11-20T10:00:00.000Z', agent });
  await submitEvaluation(clients.supervisorA, await call(org.csrA), rubric, answers('yes', 'yes', 4), {
    time_spent_s: 300,
  });
  await submitEvaluation(clients.supervisorA, await call(org.csrA), rubric, answers('na', 'yes', 2), {
    time_spent_s: 500,
  });
  await submitEvaluation(clients.manager, await call(org.csrA2), rubric, answers('no', 'yes', 3), {
    time_spent_s: 240,
  });
  await submitEvaluation(clients.supervisorB, await call(org.csrB), rubric, answers('yes', 'no', 4), {
    time_spent_s: 600,
  });
  await submitEvaluation(clients.supervisorA, await call(org.csrA2), rubric, answers('no', 'no', 0), {
    submit: false,
    time_spent_s: 900,
  });
  await submitEvaluation(clients.otherSupervisor, await call(org.otherCsr), rubric, answers('no', 'no', 0), {
    time_spent_s: 900,
  });
  return rubric;
}

/** One team's roll-up day as computed for an answer threshold: a single answered call within it. */
export async function rollupTeamDayFor(deps: AppDeps, day: string, teamId: number, thresholdS: number): Promise<void> {
  await deps.db
    .insertInto('rollup_team_day')
    .values({
      day,
      team_id: teamId,
      threshold_s: thresholdS,
      offered: 1,
      answered: 1,
      abandoned: 0,
      within_threshold: 1,
      wait_total: 5,
      hold_total: 0,
      csat_n: 0,
      csat_total: 0,
      categories: JSON.stringify([['(none)', 1, 0, 0, 0]]),
      waits: '[]',
      analysed: 0,
    })
    .execute();
}

/** A report filter over whole local days (fromDate to toDate, both included) in a zone: every team, 30 minutes. */
export function localDaysFilter(
  timeZone: string,
  fromDate: string,
  toDate: string,
  extra: Partial<ReportFilter> = {},
): ReportFilter {
  return {
    from: localDayStartText(fromDate, timeZone),
    to: localDayStartText(addDays(toDate, 1), timeZone),
    fromDate,
    toDate,
    teamIds: 'all',
    group: 'day',
    timeZone,
    intervalMinutes: 30,
    ...extra,
  };
}
