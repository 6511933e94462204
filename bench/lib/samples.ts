/**
 * Values the scenarios need from the dataset itself (read-only, before the server starts): the published
 * rubric with its items, user ids, and pools of calls nobody has scored yet.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { DATABASE_FILE } from './dataset';

export interface SampleItem {
  id: number;
  prompt: string;
  type: 'yes_no' | 'scale' | 'choice';
  max_points: number;
  allow_na: boolean;
  critical: boolean;
  comment_required: boolean;
  options: Array<{ id: number; points: number }>;
}

export interface SampleRubric {
  id: number;
  version: number;
  releaseMode: string;
  items: SampleItem[];
}

export interface FreshCall {
  id: number;
  teamId: number;
}

export function openReadOnly(workDir: string): SQLite.Database {
  return new SQLite(path.join(workDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
}

/** The newest published rubric, items in form order. */
export function publishedRubric(db: SQLite.Database): SampleRubric {
  const rubric = db
    .prepare("select id, version, release_mode from rubrics where status = 'published' order by id desc limit 1")
    .get() as { id: number; version: number; release_mode: string } | undefined;
  if (!rubric) throw new Error('the dataset has no published rubric (generator older than version 2?)');
  const items = db
    .prepare(
      `select i.id, i.prompt, i.type, i.max_points, i.allow_na, i.critical, i.comment_required
       from rubric_items i join rubric_sections s on s.id = i.section_id
       where i.rubric_id = ? order by s.position, i.position`,
    )
    .all(rubric.id) as Array<
    Omit<SampleItem, 'options' | 'allow_na' | 'critical' | 'comment_required'> & {
      allow_na: number;
      critical: number;
      comment_required: number;
    }
  >;
  const options = db
    .prepare(
      `select o.id, o.item_id, o.points from rubric_options o join rubric_items i on i.id = o.item_id
       where i.rubric_id = ? order by o.position`,
    )
    .all(rubric.id) as Array<{ id: number; item_id: number; points: number }>;
  return {
    id: rubric.id,
    version: rubric.version,
    releaseMode: rubric.release_mode,
    items: items.map((i) => ({
      ...i,
      allow_na: i.allow_na === 1,
      critical: i.critical === 1,
      comment_required: i.comment_required === 1,
      options: options.filter((o) => o.item_id === i.id).map((o) => ({ id: o.id, points: o.points })),
    })),
  };
}

export function userId(db: SQLite.Database, username: string): number {
  const row = db.prepare('select id from users where username = ?').get(username) as { id: number } | undefined;
  if (!row) throw new Error(`no user ${username} in the dataset`);
  return row.id;
}

/** Answered calls nobody has scored, newest first (optionally of some teams only). */
export function freshCalls(db: SQLite.Database, limit: number, teamIds?: number[]): FreshCall[] {
  const teams = teamIds?.length ? `and team_id in (${teamIds.map(Number).join(', ')})` : '';
  return (
    db
      .prepare(
        `select id, team_id as teamId from calls where evaluation_count = 0 and agent_id is not null ${teams}
         order by id desc limit ?`,
      )
      .all(limit) as FreshCall[]
  ).map((r) => ({ id: r.id, teamId: r.teamId }));
}

/** Each team's first supervisor (by id), the one who scores its calls in the submit load. */
export function teamSupervisors(db: SQLite.Database): Map<number, string> {
  const rows = db
    .prepare(
      `select ts.team_id, u.username from team_supervisors ts join users u on u.id = ts.user_id
       where u.active = 1 order by ts.team_id, u.id`,
    )
    .all() as Array<{ team_id: number; username: string }>;
  const out = new Map<number, string>();
  for (const r of rows) if (!out.has(r.team_id)) out.set(r.team_id, r.username);
  return out;
}

export function maxId(db: SQLite.Database, table: string): number {
  return Number((db.prepare(`select coalesce(max(id), 0) as n from ${table}`).get() as { n: number }).n);
}

export interface AnswerPayload {
  item_id: number;
  value: string | number;
  comment?: string;
}

/**
 * A complete, valid set of answers: full marks, or (variant 1–3) one or two items missed with the comment the
 * rubric requires, so about a quarter of submissions fail and open a coaching task.
 */
export function answersFor(rubric: SampleRubric, variant: number): AnswerPayload[] {
  const v = variant % 4;
  const scale = rubric.items.find((i) => i.type === 'scale');
  const choice = rubric.items.find((i) => i.type === 'choice' && i.allow_na);
  const critical = rubric.items.find((i) => i.critical);
  return rubric.items.map((item) => {
    const best = (): string | number =>
      item.type === 'yes_no'
        ? 'yes'
        : item.type === 'scale'
          ? item.max_points
          : [...item.options].sort((a, b) => b.points - a.points)[0].id;
    if (v === 1 && item === scale) return { item_id: item.id, value: 1, comment: 'Gave out-of-date information.' };
    if (v === 2 && item === choice) {
      const partial = [...item.options].sort((a, b) => b.points - a.points)[1];
      return { item_id: item.id, value: partial.id, comment: 'Promised a refund outside the policy.' };
    }
    if (v === 2 && /hold/i.test(item.prompt) && item.allow_na) return { item_id: item.id, value: 'na' };
    if (v === 3 && item === critical)
      return { item_id: item.id, value: 'no', comment: 'Changed the address unverified.' };
    return { item_id: item.id, value: best() };
  });
}
