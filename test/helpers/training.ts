import type { User } from '../../src/db/schema';
import type { DB } from '../../src/db/database';
import type { TestClock } from './app';
import { makeCall, type AnswerJson, type Api } from './scoring';
import type { AppDeps } from '../../src/deps';
import { saveDepartment, saveTeam } from '../../src/org/org.service';
import { buildUser } from './builders';

// Page-reading and fixture helpers for the coaching, training, budget and recognition tests.

export const DAY = 86_400_000;

/** Moves the test clock forward to an exact moment (never back). */
export function advanceTo(clock: TestClock, iso: string): void {
  const delta = Date.parse(iso) - clock.now().getTime();
  if (Number.isNaN(delta) || delta < 0) throw new Error(`cannot move the clock back to ${iso}`);
  clock.advance(delta);
}

/** The date part of now + days, as a date field takes it. */
export function dateIn(clock: TestClock, days: number): string {
  return new Date(clock.now().getTime() + days * DAY).toISOString().slice(0, 10);
}

export function decodeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Visible text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  return decodeHtml(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The body rows of the page's nth table (0-based), each as the text of its cells. */
export function tableRows(html: string, index = 0): string[][] {
  const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
  const table = tables[index];
  if (!table) throw new Error(`no table #${index} on the page`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return (body.match(/<tr[\s\S]*?<\/tr>/g) ?? []).map((row) =>
    (row.match(/<t[dh][^>]*>[\s\S]*?<\/t[dh]>/g) ?? []).map(textOf),
  );
}

/** Flash messages shown at the top of a page. */
export function flashes(html: string): Array<{ kind: string; message: string }> {
  return [...html.matchAll(/<p class="flash flash-(\w+)"[^>]*>([\s\S]*?)<\/p>/g)].map((m) => ({
    kind: m[1],
    message: textOf(m[2]),
  }));
}

/** The message shown beside a form field (views/partials/field-error.ejs). */
export function fieldError(html: string, name: string): string | null {
  const match = new RegExp(`<small id="${name}-error" class="field-error">([\\s\\S]*?)</small>`).exec(html);
  return match ? textOf(match[1]) : null;
}

/** The fields of the form posting to `action`, as a browser would send them (hidden inputs and the CSRF token). */
export function formFields(html: string, action: string): Record<string, string | string[]> {
  const form = new RegExp(`<form[^>]*action="${action.replace(/[/.]/g, '\\$&')}"[\\s\\S]*?</form>`).exec(html)?.[0];
  if (!form) throw new Error(`no form posting to ${action}`);
  const fields: Record<string, string | string[]> = {};
  for (const input of form.match(/<input[^>]*type="hidden"[^>]*>/g) ?? []) {
    const name = decodeHtml(/name="([^"]*)"/.exec(input)![1]);
    const value = decodeHtml(/value="([^"]*)"/.exec(input)?.[1] ?? '');
    const existing = fields[name];
    fields[name] = existing === undefined ? value : [...([] as string[]).concat(existing), value];
  }
  return fields;
}

export interface CourseJson {
  title: string;
  cost_cents: number;
  group_rule?: null | { type: 'every_n_free'; n: number } | { type: 'percent_off'; min_seats: number; percent: number };
  provider?: string;
}

let courseSerial = 0;

/** A course added through POST /api/v1/training/courses; returns its id. */
export async function addCourse(client: Api, fields: Partial<CourseJson> = {}): Promise<number> {
  courseSerial += 1;
  const res = await client.post('/api/v1/training/courses', {
    title: `Course ${courseSerial}`,
    cost_cents: 10_000,
    group_rule: null,
    ...fields,
  });
  if (res.status !== 201) throw new Error(`course: ${res.status} ${res.text}`);
  return (res.body as { id: number }).id;
}

export async function bookingsOfCourse(db: DB, courseId: number) {
  return db.selectFrom('training_bookings').selectAll().where('course_id', '=', courseId).orderBy('id').execute();
}

export async function assignmentsOfBooking(db: DB, bookingId: number) {
  return db
    .selectFrom('training_assignments')
    .selectAll()
    .where('booking_id', '=', bookingId)
    .orderBy('csr_id')
    .execute();
}

export async function auditActions(db: DB, entityType: string, entityId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select('action')
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

export interface SubmittedScorecard {
  id: number;
  score: number;
  passed: boolean;
  coaching_task_id: number | null;
}

/** A call for the CSR, scored and submitted through POST /api/v1/evaluations by `scorer`. */
export async function submitScorecard(
  deps: AppDeps,
  admin: User,
  scorer: Api,
  agent: User,
  rubricId: number,
  answers: AnswerJson[],
): Promise<SubmittedScorecard> {
  const call = await makeCall(deps, admin, agent);
  const res = await scorer.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubricId,
    answers,
    submit: true,
  });
  if (res.status !== 201) throw new Error(`scorecard: ${res.status} ${res.text}`);
  return res.body as SubmittedScorecard;
}

let departmentSerial = 0;

export interface BudgetDepartment {
  id: number;
  name: string;
  teamId: number;
  csrs: User[];
}

/**
 * A department of its own (one team, `csrCount` CSRs) managed by `manager`, so a test's budget starts untouched
 * by other tests in the file.
 */
export async function buildDepartment(
  deps: AppDeps,
  admin: User,
  manager: User,
  budget: { budget_cents: number; budget_period?: 'month' | 'quarter' | 'year'; csrCount?: number },
): Promise<BudgetDepartment> {
  departmentSerial += 1;
  const actor = { id: admin.id, role: 'admin' as const };
  const name = `Budget dept ${departmentSerial}`;
  const id = await saveDepartment(deps, actor, {
    name,
    manager: manager.username,
    budget_cents: budget.budget_cents,
    budget_period: budget.budget_period ?? 'quarter',
  });
  const teamId = await saveTeam(deps, actor, { name: `Budget team ${departmentSerial}`, department_id: id });
  const csrs: User[] = [];
  for (let i = 0; i < (budget.csrCount ?? 2); i++) csrs.push(await buildUser(deps, 'csr', { team_id: teamId }));
  return { id, name, teamId, csrs };
}
