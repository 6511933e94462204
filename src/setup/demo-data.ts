import fsp from 'node:fs/promises';
import path from 'node:path';
import { ingestCall } from '../calls';
import { parseCallsCsv } from '../imports';
import { RecordingStorage, type StagedFile } from '../recordings';
import type { AppDeps } from '../deps';
import { PROJECT_ROOT } from '../lib/paths';
import { loadDemoHistory } from './demo-history';
import { loadDemoRecordings } from './demo-recordings';
import { recordChange } from '../audit';
import type { Role } from '../db/schema';
import { inTransaction, type Tx } from '../db/transaction';
import { isoNow } from '../lib/clock';
import { hashPassword } from '../lib/passwords';
import {
  addTeamSupervisor,
  departmentIdByName,
  insertDepartment,
  insertTeam,
  insertUserIfNew,
  setDepartmentManager,
} from './setup.queries';

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
    // Marked as the demo's, so the admin's guided start does not take them for a connected phone system.
    const result = await ingestCall(deps, { id: adminId, role: 'admin' }, { ...row.values, source: 'demo' }, files);
    if (result.created) stored += 1;
  }
  return stored;
}

/** The people of the demo, each in their team (CSRs) or supervising it; the manager runs the department. */
async function insertDemoPeople(
  trx: Tx,
  departmentId: number,
  teamIds: Map<string, number>,
  hashes: string[],
  now: string,
) {
  for (const [index, person] of DEMO_PEOPLE.entries()) {
    const teamId = person.team ? teamIds.get(person.team) : undefined;
    if (person.team && teamId === undefined) throw new Error(`Demo team ${person.team} was not created.`);
    const passwordHash = hashes[index];
    if (passwordHash === undefined) throw new Error(`No password hash for ${person.username}.`);
    const userId = await insertUserIfNew(trx, {
      username: person.username,
      display_name: person.display_name,
      password_hash: passwordHash,
      role: person.role,
      team_id: person.role === 'csr' ? (teamId ?? null) : null,
      created_at: now,
      updated_at: now,
    });
    if (userId === undefined) continue;
    if (person.role === 'supervisor' && teamId) await addTeamSupervisor(trx, teamId, userId);
    if (person.role === 'manager') await setDepartmentManager(trx, departmentId, userId);
  }
}

/** Loads the demo organisation: one department, two teams, a manager, supervisors and CSRs. */
export async function loadDemoData(deps: AppDeps, actorId: number | null): Promise<DemoPerson[]> {
  const hashes = await Promise.all(DEMO_PEOPLE.map(() => hashPassword(DEMO_PASSWORD, deps.config.scryptLogN)));
  const now = isoNow(deps.clock);
  const created = await inTransaction(deps.db, async (trx) => {
    if ((await departmentIdByName(trx, DEMO_DEPARTMENT.name)) !== undefined) return false;
    const departmentId = await insertDepartment(trx, { ...DEMO_DEPARTMENT, created_at: now });
    const teamIds = new Map<string, number>();
    for (const name of DEMO_TEAMS) teamIds.set(name, await insertTeam(trx, name, departmentId, now));
    await insertDemoPeople(trx, departmentId, teamIds, hashes, now);
    await recordChange(trx, now, { actorId }, 'demo.loaded', ['department', departmentId]);
    return true;
  });
  if (created && actorId !== null) {
    await loadSampleCalls(deps, actorId);
    await loadDemoHistory(deps, actorId);
    await loadDemoRecordings(deps, actorId);
  }
  return DEMO_PEOPLE;
}
