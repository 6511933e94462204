import type { BenchAccount, GenerateOptions, Manifest } from '../lib/dataset';
import { Rng, WeightedTable } from '../lib/rng';
import type { SeedDepartment, SeedOrg, SeedTeam, SeedUser } from '../seed/hooks';
import { DEPARTMENT_NAMES, FIRST_NAMES, LAST_NAMES } from './vocabulary';

export interface BuiltOrg extends SeedOrg {
  displayNames: Map<number, string>;
  accounts: Manifest['accounts'];
  sampleAgent: string;
}

export function buildOrg(options: GenerateOptions, rng: Rng): BuiltOrg {
  const users: SeedUser[] = [];
  const displayNames = new Map<number, string>();
  let nextUserId = 1;
  const addUser = (username: string, role: SeedUser['role'], teamId: number | null, active = true) => {
    const id = nextUserId;
    nextUserId += 1;
    users.push({ id, username, role, teamId, active });
    displayNames.set(id, `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`);
    return id;
  };
  const adminId = addUser('bench.admin', 'admin', null);
  addUser('bench.admin2', 'admin', null);

  const departments: SeedDepartment[] = [];
  for (let d = 1; d <= options.departments; d += 1) {
    const base = DEPARTMENT_NAMES[(d - 1) % DEPARTMENT_NAMES.length];
    const name = d > DEPARTMENT_NAMES.length ? `${base} ${Math.ceil(d / DEPARTMENT_NAMES.length)}` : base;
    const managerId = addUser(d === 1 ? 'bench.manager' : `manager.${String(d).padStart(2, '0')}`, 'manager', null);
    departments.push({ id: d, name, managerId, budgetCents: 250_000 + rng.int(20) * 50_000 });
  }

  const teams: SeedTeam[] = [];
  for (let t = 1; t <= options.teams; t += 1) {
    const departmentId = ((t - 1) % options.departments) + 1;
    const nth = Math.ceil(t / options.departments);
    teams.push({
      id: t,
      name: `${departments[departmentId - 1].name} ${nth}`,
      departmentId,
      supervisorIds: [],
      csrIds: [],
    });
  }

  // One supervisor per team; every fifth also covers the next team; bench.supervisor has teams 1 and 2.
  for (const team of teams) {
    const name =
      team.id === 1
        ? 'bench.supervisor'
        : team.id === 3
          ? 'bench.supervisor2'
          : `sup.${String(team.id).padStart(3, '0')}`;
    const id = addUser(name, 'supervisor', null);
    team.supervisorIds.push(id);
    const coversNext = team.id === 1 || team.id % 5 === 0;
    if (coversNext && team.id < teams.length) teams[team.id].supervisorIds.push(id);
  }

  // CSRs: at least one per team, the rest by team weight; 4% have left (inactive).
  const teamWeights = teams.map(() => rng.logNormal(1, 0.25));
  const teamTable = new WeightedTable(teams, teamWeights);
  for (let c = 1; c <= options.csrs; c += 1) {
    const team = c <= teams.length ? teams[c - 1] : teamTable.pick(rng);
    const username = c === 1 ? 'bench.csr' : `csr.${String(c).padStart(5, '0')}`;
    const active = c <= teams.length * 2 ? true : !rng.chance(0.04);
    const id = addUser(username, 'csr', team.id, active);
    team.csrIds.push(id);
  }

  const byId = new Map(users.map((u) => [u.id, u]));
  const scopeOf = (supervisorId: number) =>
    teams.filter((t) => t.supervisorIds.includes(supervisorId)).map((t) => t.id);
  const account = (username: string, teamIds: number[]): BenchAccount => {
    const user = users.find((u) => u.username === username)!;
    return { username, role: user.role, teamIds };
  };
  const supervisorId = teams[0].supervisorIds[0];
  const supervisor2Id = teams[2].supervisorIds[0];
  const team1Csrs = teams[0].csrIds.map((id) => byId.get(id)!).filter((u) => u.active && u.username !== 'bench.csr');
  return {
    adminId,
    departments,
    teams,
    users,
    displayNames,
    accounts: {
      admin: account('bench.admin', []),
      manager: account(
        'bench.manager',
        teams.filter((t) => t.departmentId === 1).map((t) => t.id),
      ),
      supervisor: account('bench.supervisor', scopeOf(supervisorId)),
      supervisorOneTeam: account(users.find((u) => u.id === supervisor2Id)!.username, scopeOf(supervisor2Id)),
      csr: account('bench.csr', []),
    },
    sampleAgent: (team1Csrs[0] ?? byId.get(teams[0].csrIds[0])!).username,
  };
}
