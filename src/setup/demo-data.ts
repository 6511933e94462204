import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseCallsCsv } from '../calls';
import { ingestCall, type StagedFile } from '../calls';
import { RecordingStorage } from '../calls';
import type { AppDeps } from '../deps';
import { PROJECT_ROOT } from '../lib/paths';
import { loadDemoHistory } from './demo-history';
import { recordAudit } from '../audit';
import type { Role } from '../db/schema';
import { isoNow } from '../lib/clock';
import { hashPassword } from '../lib/passwords';

// Published on the setup page on purpose: demo accounts are for trying the product, not for production.
export const DEMO_PASSWORD = 'callscore-demo-2026';

export interface DemoPerson {
  username: string;
  display_name: string;
  role: Role;
  team?: string;
}

export const DEMO_DEPARTMENT = { name: 'Customer Care', budget_cents: 500_000, budget_period: 'quarter' as const };

export const DEMO_TEAMS = ['Returns & Refunds', 'Orders & Billing'];

export const DEMO_PEOPLE: DemoPerson[] = [
  { username: 'manager.maria', display_name: 'Maria Manager', role: 'manager' },
  { username: 'sup.sam', display_name: 'Sam Supervisor', role: 'supervisor', team: 'Returns & Refunds' },
  { username: 'sup.sofia', display_name: 'Sofia Supervisor', role: 'supervisor', team: 'Orders & Billing' },
  { username: 'csr.dana', display_name: 'Dana Reyes', role: 'csr', team: 'Returns & Refunds' },
  { username: 'csr.lee', display_name: 'Lee Chen', role: 'csr', team: 'Returns & Refunds' },
  { username: 'csr.omar', display_name: 'Omar Haddad', role: 'csr', team: 'Orders & Billing' },
  { username: 'csr.priya', display_name: 'Priya Nair', role: 'csr', team: 'Orders & Billing' },
];

export const SAMPLE_CALLS_DIR = path.join(PROJECT_ROOT, 'samples', 'calls');

/** The sample calls, recordings and transcripts included: copied to staging and stored like any upload. */
export async function loadSampleCalls(deps: AppDeps, adminId: number): Promise<number> {
  const csv = await fsp.readFile(path.join(SAMPLE_CALLS_DIR, 'calls.csv'), 'utf8');
  const rows = parseCallsCsv(csv);
  let stored = 0;
  for (const row of rows) {
    const files: { recording?: StagedFile; transcript?: StagedFile } = {};
    for (const kind of ['recording', 'transcript'] as const) {
      const name = row.values[kind];
      if (!name) continue;
      const stagedName = RecordingStorage.newName();
      const source = path.join(SAMPLE_CALLS_DIR, path.basename(name));
      await fsp.copyFile(source, deps.storage.stagedPath(stagedName));
      files[kind] = { stagedName, originalName: name, size: (await fsp.stat(source)).size };
    }
    const result = await ingestCall(deps, { id: adminId, role: 'admin' }, row.values, files);
    if (result.created) stored += 1;
  }
  return stored;
}

/** Loads the demo organisation: one department, two teams, a manager, supervisors and CSRs. */
export async function loadDemoData(deps: AppDeps, actorId: number | null): Promise<DemoPerson[]> {
  const hashes = await Promise.all(DEMO_PEOPLE.map(() => hashPassword(DEMO_PASSWORD, deps.config.scryptLogN)));
  const now = isoNow(deps.clock);
  const created = await deps.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('departments')
      .select('id')
      .where('name', '=', DEMO_DEPARTMENT.name)
      .executeTakeFirst();
    if (existing) return false;
    const dept = await trx
      .insertInto('departments')
      .values({ ...DEMO_DEPARTMENT, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const teamIds = new Map<string, number>();
    for (const name of DEMO_TEAMS) {
      const team = await trx
        .insertInto('teams')
        .values({ name, department_id: dept.id, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      teamIds.set(name, team.id);
    }
    for (const [index, person] of DEMO_PEOPLE.entries()) {
      const teamId = person.team ? teamIds.get(person.team)! : null;
      const user = await trx
        .insertInto('users')
        .values({
          username: person.username,
          display_name: person.display_name,
          password_hash: hashes[index],
          role: person.role,
          team_id: person.role === 'csr' ? teamId : null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('username').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!user) continue;
      if (person.role === 'supervisor' && teamId) {
        await trx.insertInto('team_supervisors').values({ team_id: teamId, user_id: user.id }).execute();
      }
      if (person.role === 'manager') {
        await trx.updateTable('departments').set({ manager_id: user.id }).where('id', '=', dept.id).execute();
      }
    }
    await recordAudit(trx, now, { actorId, action: 'demo.loaded', entityType: 'department', entityId: dept.id });
    return true;
  });
  if (created && actorId !== null) {
    await loadSampleCalls(deps, actorId);
    await loadDemoHistory(deps, actorId);
  }
  return DEMO_PEOPLE;
}
