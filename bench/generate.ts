/**
 * Builds a realistic Callscore database for the benchmarks: the app's own migrations, then departments,
 * teams, supervisors, managers, CSRs and N calls over a year, bulk-loaded with raw better-sqlite3 prepared
 * statements in large transactions (this is a generator, not app code).
 *
 *   node_modules/.bin/tsx bench/generate.ts --calls 1000000 --csrs 1000 --teams 50 --departments 5 --out DIR
 *
 * Writes DIR/callscore.db, DIR/recordings/<shared>.wav and DIR/bench-manifest.json (accounts, filter values,
 * counts). Without --out the dataset goes to the cache folder bench/run.ts looks in. See bench/README.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/db/database';
import { createMigrator } from '../src/db/migrate';
import { hashPassword } from '../src/lib/passwords';
import { flagArg, floatArg, numberArg, parseArgs, shortCount } from './lib/args';
import {
  BENCH_PASSWORD,
  DATABASE_FILE,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_OPTIONS,
  GENERATOR_VERSION,
  MANIFEST_FILE,
  RECORDINGS_DIR,
  datasetKey,
  defaultDatasetDir,
  flushToDisk,
  migrationNames,
  readManifest,
  type BenchAccount,
  type GenerateOptions,
  type Manifest,
} from './lib/dataset';
import { Rng, WeightedTable, clamp, tenths } from './lib/rng';
import { TELEPHONY, smallWav } from './lib/wav';
import {
  SEED_HOOKS,
  type EvaluatedCalls,
  type SeedContext,
  type SeedDepartment,
  type SeedOrg,
  type SeedTeam,
  type SeedUser,
} from './seed/hooks';

const DAY_MS = 86_400_000;
const BATCH = 50_000;

const DEPARTMENT_NAMES = [
  'Customer Care',
  'Billing & Payments',
  'Technical Support',
  'Sales',
  'Retention',
  'Claims',
  'Logistics',
  'Partner Desk',
];

const FIRST_NAMES = [
  'Ana', 'Ben', 'Chen', 'Dana', 'Eli', 'Fatima', 'Gabe', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mateo', 'Nia',
  'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Alex',
  'Bea', 'Carlos', 'Dmitri', 'Emma', 'Farid', 'Grace', 'Hugo', 'Irene', 'Jonas', 'Kira', 'Luis', 'Maya', 'Noor',
]; // prettier-ignore

const LAST_NAMES = [
  'Reyes', 'Chen', 'Haddad', 'Nair', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Silva', 'Tanaka', 'Murphy',
  'Novak', 'Dubois', 'Larsen', 'Moreau', 'Ibrahim', 'Kim', 'Garcia', 'Patel', 'Jensen', 'Costa', 'Ahmed', 'Berg',
  'Hughes', 'Ivanova', 'Mensah', 'Lopez', 'Sato', 'Weber', 'Yilmaz',
]; // prettier-ignore

/** Category, share of calls, median talk time (s). The null category is calls the ACD left uncoded. */
const CATEGORIES: Array<[string | null, number, number]> = [
  ['billing', 16, 330],
  ['order status', 14, 200],
  ['returns', 11, 290],
  ['technical support', 12, 560],
  ['account changes', 9, 260],
  ['payments', 8, 240],
  ['shipping', 7, 210],
  ['warranty', 7, 380],
  ['cancellation', 5, 420],
  ['complaint', 4, 610],
  ['sales', 3, 470],
  ['general enquiry', 2, 180],
  [null, 2, 240],
];

/** Calls per UTC hour: a contact center open 07:00–22:00 with late-morning and early-afternoon peaks. */
const HOUR_WEIGHTS = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.8, 3, 6, 8.5, 9.5, 9, 7.5, 8, 8.5, 8, 7, 5.5, 4, 3, 2.2, 1.5, 0.8, 0.4,
]; // prettier-ignore

/** CSAT answers 1..5 for an ordinary call and for one with a long wait or hold. */
const CSAT_NORMAL = [6, 5, 11, 30, 48];
const CSAT_LONG_WAIT = [18, 12, 20, 28, 22];

const TRANSCRIPT_LINES = [
  ['Agent', 'Thank you for calling, my name is {agent}. How can I help you today?'],
  ['Customer', 'Hi, I am calling about my {topic}. Something does not look right.'],
  ['Agent', 'I am sorry to hear that. Before we start, can you please verify the address on the account?'],
  ['Customer', 'Sure, it is 42 Elm Street, Springfield.'],
  ['Agent', 'Thank you, that matches our records. Let me pull up the details, one moment please.'],
  ['Agent', 'I can see what happened here. I will correct it now and send you a confirmation by email.'],
  ['Customer', 'That would be great. How long will it take?'],
  ['Agent', 'It should show within two business days. Is there anything else I can help you with?'],
  ['Customer', 'No, that is all. Thanks for your help!'],
  ['Agent', 'Thank you for calling. Have a great day.'],
];

function log(message: string): void {
  console.log(`[generate] ${message}`);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** A handful of WebVTT transcripts (1–2 KB, like a short call) reused across calls. */
function transcriptVariants(rng: Rng): string[] {
  const topics = ['bill', 'order', 'return', 'router', 'account', 'payment', 'delivery', 'warranty claim'];
  return topics.map((topic) => {
    let t = 0;
    const cues: string[] = ['WEBVTT', ''];
    const repeats = 1 + rng.int(2);
    for (let r = 0; r < repeats; r += 1) {
      for (const [speaker, text] of TRANSCRIPT_LINES) {
        const len = 2 + rng.next() * 5;
        cues.push(
          `${vttTime(t)} --> ${vttTime(t + len)}`,
          `<v ${speaker}>${text.replace('{topic}', topic).replace('{agent}', 'Sam')}`,
          '',
        );
        t += len + 0.6;
      }
    }
    return cues.join('\n');
  });
}

export interface GenerateResult {
  dir: string;
  manifest: Manifest;
}

/** Generates a dataset into `dir` (replacing what the generator wrote there before). */
export async function generateDataset(
  options: GenerateOptions,
  dir: string,
  migrationsDir = DEFAULT_MIGRATIONS_DIR,
): Promise<GenerateResult> {
  const started = performance.now();
  const rng = new Rng(options.seed);
  const endMs = options.end ? Date.parse(`${options.end}T00:00:00.000Z`) : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  if (!Number.isFinite(endMs)) throw new Error(`--end must be a date like 2026-11-23, got "${options.end}"`);
  const startMs = endMs - options.days * DAY_MS;
  const nowIso = new Date(endMs).toISOString();
  if (options.teams < options.departments) throw new Error('--teams must be at least --departments');
  if (options.csrs < options.teams) throw new Error('--csrs must be at least --teams (every team needs a CSR)');
  if (options.teams < 3) throw new Error('--teams must be at least 3 (the bench accounts need three teams)');

  // Only what this generator writes is removed, so --out can point at an existing folder.
  fs.mkdirSync(path.join(dir, RECORDINGS_DIR), { recursive: true });
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(DATABASE_FILE) || name === MANIFEST_FILE) fs.rmSync(path.join(dir, name), { force: true });
  }
  for (const name of fs.readdirSync(path.join(dir, RECORDINGS_DIR))) {
    if (/^[a-f0-9]{32}\.wav$/.test(name)) fs.rmSync(path.join(dir, RECORDINGS_DIR, name), { force: true });
  }
  const dbFile = path.join(dir, DATABASE_FILE);

  // 1. The schema, exactly as the app builds it.
  const handle = openDatabase(dbFile);
  const migrated = await createMigrator(handle.db, migrationsDir).migrateToLatest();
  await handle.close();
  if (migrated.error) throw new Error(`migrating the new database failed: ${String(migrated.error)}`);

  // One hash for every bench account: the app verifies it at whatever cost it names (logN in the hash).
  const passwordHash = await hashPassword(BENCH_PASSWORD, options.scryptLogN);

  // 2. The shared recording every stored call points at.
  const wav = smallWav(12);
  const sharedFile = `${crypto.createHash('md5').update(wav).digest('hex')}.wav`;
  fs.writeFileSync(path.join(dir, RECORDINGS_DIR, sharedFile), wav);
  const shared = {
    file: sharedFile,
    bytes: wav.length,
    sha256: crypto.createHash('sha256').update(wav).digest('hex'),
    durationS: (wav.length - 44) / (TELEPHONY.sampleRate * 2),
  };

  // 3. Bulk load on a raw connection tuned for it.
  const sqlite = new SQLite(dbFile);
  sqlite.pragma('journal_mode = OFF');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('locking_mode = EXCLUSIVE');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -1000000');

  const bulkInsert = (table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>, batch = BATCH) => {
    const stmt = sqlite.prepare(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    );
    let count = 0;
    let pending: Array<readonly unknown[]> = [];
    const flush = sqlite.transaction((items: Array<readonly unknown[]>) => {
      for (const item of items) stmt.run(...item);
    });
    for (const row of rows) {
      pending.push(row);
      if (pending.length >= batch) {
        flush(pending);
        count += pending.length;
        pending = [];
      }
    }
    if (pending.length) flush(pending);
    return count + pending.length;
  };

  const org = buildOrg(options, rng);
  const orgCreatedAt = new Date(startMs - 30 * DAY_MS).toISOString();
  bulkInsert(
    'departments',
    ['id', 'name', 'manager_id', 'budget_cents', 'budget_period', 'created_at'],
    org.departments.map((d) => [d.id, d.name, d.managerId, d.budgetCents, 'quarter', orgCreatedAt]),
  );
  bulkInsert(
    'teams',
    ['id', 'name', 'department_id', 'created_at'],
    org.teams.map((t) => [t.id, t.name, t.departmentId, orgCreatedAt]),
  );
  bulkInsert(
    'users',
    ['id', 'username', 'display_name', 'password_hash', 'role', 'team_id', 'active', 'created_at', 'updated_at'],
    org.users.map((u) => [
      u.id,
      u.username,
      org.displayNames.get(u.id)!,
      passwordHash,
      u.role,
      u.role === 'csr' ? u.teamId : null,
      u.active ? 1 : 0,
      orgCreatedAt,
      orgCreatedAt,
    ]),
  );
  bulkInsert(
    'team_supervisors',
    ['team_id', 'user_id'],
    org.teams.flatMap((t) => t.supervisorIds.map((s) => [t.id, s])),
  );
  log(
    `org: ${org.departments.length} departments, ${org.teams.length} teams, ${org.users.length} users ` +
      `(${options.csrs} CSRs)`,
  );

  // 4. Calls, in started_at order, so ids grow with time as they do when calls arrive day by day.
  const callStats = insertCalls(sqlite, options, rng, org, startMs, shared);
  log(`calls: ${callStats.counts.calls} in ${Math.round(performance.now() - started)} ms so far`);

  // 5. Audit entries: user creation and one per daily ACD import (per pushed call with --audit full).
  const auditRows = insertAudit(sqlite, options, org, callStats.importDays, orgCreatedAt);

  // 6. Hooks for tables later issues add.
  const tableExists = (name: string) =>
    Boolean(sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name));
  const context: SeedContext = {
    sqlite,
    rng,
    org,
    calls: {
      count: options.calls,
      firstId: 1,
      lastId: options.calls,
      periodStartMs: startMs,
      periodEndMs: endMs,
      evaluated: callStats.evaluated,
    },
    nowIso,
    tableExists,
    bulkInsert,
    counts: {},
    log,
  };
  const hookCounts: Record<string, number> = {};
  for (const hook of SEED_HOOKS) {
    const hookStarted = performance.now();
    const n = await hook.run(context);
    hookCounts[hook.table] = n;
    if (n) log(`${hook.describe}: ${n} rows in ${Math.round(performance.now() - hookStarted)} ms`);
  }
  Object.assign(hookCounts, context.counts);

  if (options.analyze) sqlite.exec('analyze');
  sqlite.pragma('locking_mode = NORMAL');
  sqlite.pragma('journal_mode = WAL');
  const violations = sqlite.pragma('foreign_key_check') as unknown[];
  if (violations.length) throw new Error(`generated data breaks ${violations.length} foreign keys`);
  sqlite.close();

  const accounts = org.accounts;
  const manifest: Manifest = {
    generatorVersion: GENERATOR_VERSION,
    key: datasetKey(options, migrationsDir),
    options: { ...options, end: isoDay(endMs) },
    migrations: migrationNames(migrationsDir),
    period: { from: isoDay(startMs), to: isoDay(endMs - DAY_MS) },
    password: BENCH_PASSWORD,
    scryptLogN: options.scryptLogN,
    accounts,
    samples: {
      agentInSupervisorTeam: org.sampleAgent,
      supervisorTeamId: accounts.supervisor.teamIds[0],
      category: 'warranty',
      categories: CATEGORIES.map((c) => c[0]).filter((c): c is string => c !== null),
    },
    counts: {
      departments: org.departments.length,
      teams: org.teams.length,
      users: org.users.length,
      ...callStats.counts,
      audit_log: auditRows,
      ...hookCounts,
    },
    sharedRecording: shared,
    generatedInMs: Math.round(performance.now() - started),
    databaseBytes: fs.statSync(dbFile).size,
    generatedAt: new Date().toISOString(),
  };
  flushToDisk(dir);
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
}

interface BuiltOrg extends SeedOrg {
  displayNames: Map<number, string>;
  accounts: Manifest['accounts'];
  sampleAgent: string;
}

function buildOrg(options: GenerateOptions, rng: Rng): BuiltOrg {
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

interface CallStats {
  counts: Record<string, number>;
  evaluated: EvaluatedCalls;
  /** Per day before the recording window: [day start ms, calls imported]. */
  importDays: Array<[number, number]>;
}

function insertCalls(
  sqlite: SQLite.Database,
  options: GenerateOptions,
  rng: Rng,
  org: BuiltOrg,
  startMs: number,
  shared: { file: string; bytes: number; sha256: string; durationS: number },
): CallStats {
  const csrs = org.users.filter((u) => u.role === 'csr');
  const activeCsrs = csrs.filter((u) => u.active);
  // Busy and part-time agents; leavers only take calls in the first 60% of the year.
  const csrWeights = new Map(csrs.map((u) => [u.id, rng.logNormal(1, 0.35)]));
  const allCsrTable = new WeightedTable(
    csrs,
    csrs.map((u) => csrWeights.get(u.id)!),
  );
  const activeCsrTable = new WeightedTable(
    activeCsrs,
    activeCsrs.map((u) => csrWeights.get(u.id)!),
  );
  const teamTable = new WeightedTable(
    org.teams,
    org.teams.map((t) => t.csrIds.reduce((sum, id) => sum + csrWeights.get(id)!, 0)),
  );
  const departmentSlug = new Map(org.departments.map((d) => [d.id, d.name.toLowerCase().replace(/[^a-z]+/g, '-')]));
  const teamQueue = new Map(org.teams.map((t) => [t.id, `${departmentSlug.get(t.departmentId)}-q${t.id}`]));
  const categoryTable = new WeightedTable(
    CATEGORIES.map((_, i) => i),
    CATEGORIES.map((c) => c[1]),
  );
  const hourTable = new WeightedTable(
    HOUR_WEIGHTS.map((_, h) => h),
    HOUR_WEIGHTS,
  );
  const csatNormal = new WeightedTable([1, 2, 3, 4, 5], CSAT_NORMAL);
  const csatLong = new WeightedTable([1, 2, 3, 4, 5], CSAT_LONG_WAIT);
  const transcripts = transcriptVariants(rng);
  const leaverCutoffMs = startMs + options.days * DAY_MS * 0.6;
  const recordingFromMs = startMs + Math.max(0, options.days - options.recordingDays) * DAY_MS;

  // Calls per day: weekdays full, weekends light, a December peak, day-to-day noise.
  const dayWeights: number[] = [];
  for (let d = 0; d < options.days; d += 1) {
    const date = new Date(startMs + d * DAY_MS);
    const dow = date.getUTCDay();
    const month = date.getUTCMonth();
    const base = dow === 0 ? 0.2 : dow === 6 ? 0.35 : dow === 1 ? 1.15 : 1;
    const season = month === 11 ? 1.2 : month === 0 ? 1.1 : month === 7 ? 0.9 : 1;
    dayWeights.push(base * season * (0.9 + rng.next() * 0.2));
  }
  const weightSum = dayWeights.reduce((a, b) => a + b, 0);

  const columns = [
    'id', 'source', 'external_id', 'agent_id', 'team_id', 'queue', 'started_at', 'direction', 'category',
    'queue_wait_s', 'hold_s', 'duration_s', 'csat', 'abandoned', 'evaluation_count', 'recording_status',
    'recording_file', 'recording_original_name', 'recording_mime', 'recording_bytes', 'recording_sha256',
    'recording_codec', 'recording_channels', 'recording_sample_rate', 'recording_duration_s', 'transcript_format',
    'transcript', 'created_by', 'created_at',
  ]; // prettier-ignore
  const stmt = sqlite.prepare(
    `insert into calls (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
  );
  const row: unknown[] = new Array(columns.length).fill(null);
  const evaluatedCapacity = Math.ceil(options.calls * options.evaluatedShare * 1.2) + 1024;
  const evaluated: EvaluatedCalls = {
    length: 0,
    callIds: new Int32Array(evaluatedCapacity),
    agentIds: new Int32Array(evaluatedCapacity),
    teamIds: new Int32Array(evaluatedCapacity),
    startedAtMs: new Float64Array(evaluatedCapacity),
    counts: new Uint8Array(evaluatedCapacity),
    durationS: new Float32Array(evaluatedCapacity),
    holdS: new Float32Array(evaluatedCapacity),
  };
  // Calls are scored over the whole year (older ones while their recording still existed), but only once
  // they have ended with time to spare before "now".
  const lastScorableMs = startMs + options.days * DAY_MS - 2 * 3_600_000;
  const counts = { calls: 0, abandoned: 0, outbound: 0, recordings_stored: 0, evaluated: 0, transcripts: 0, csat: 0 };
  const importDays: Array<[number, number]> = [];

  const begin = sqlite.prepare('begin');
  const commit = sqlite.prepare('commit');
  begin.run();
  let id = 0;
  let carry = 0;
  for (let d = 0; d < options.days; d += 1) {
    const exact = (options.calls * dayWeights[d]) / weightSum + carry;
    let n = d === options.days - 1 ? options.calls - id : Math.floor(exact);
    n = Math.max(0, Math.min(n, options.calls - id));
    carry = exact - Math.floor(exact);
    const dayMs = startMs + d * DAY_MS;
    const offsets = new Float64Array(n);
    for (let i = 0; i < n; i += 1) offsets[i] = hourTable.pick(rng) * 3_600_000 + rng.int(3_600_000);
    offsets.sort();
    if (dayMs < recordingFromMs && n > 0) importDays.push([dayMs, n]);

    for (let i = 0; i < n; i += 1) {
      id += 1;
      const t = dayMs + offsets[i];
      const inbound = !rng.chance(options.outboundShare);
      const abandoned = inbound && rng.chance(options.abandonedShare);
      const category = CATEGORIES[categoryTable.pick(rng)];
      let agentId: number | null = null;
      let teamId: number;
      if (abandoned) {
        teamId = teamTable.pick(rng).id;
      } else {
        const agent = (t < leaverCutoffMs ? allCsrTable : activeCsrTable).pick(rng);
        agentId = agent.id;
        teamId = agent.teamId!;
      }
      const wait = !inbound ? 0 : tenths(clamp(rng.logNormal(abandoned ? 75 : 28, abandoned ? 0.8 : 1.0), 0, 1800));
      const hold = abandoned || !rng.chance(0.28) ? 0 : tenths(clamp(rng.logNormal(45, 0.9), 1, 3600));
      const duration = abandoned ? 0 : tenths(clamp(rng.logNormal(category[2], 0.6), 15, 7200) + hold);
      let csat: number | null = null;
      if (inbound && !abandoned && rng.chance(options.csatShare)) {
        csat = (wait > 120 || hold > 180 ? csatLong : csatNormal).pick(rng);
        counts.csat += 1;
      }
      const pushed = t >= recordingFromMs;
      const recorded = pushed && !abandoned && rng.chance(options.recordedShare);
      let evaluationCount = 0;
      const k = evaluated.length;
      if (
        agentId !== null &&
        k < evaluatedCapacity &&
        t + duration * 1000 < lastScorableMs &&
        rng.chance(options.evaluatedShare)
      ) {
        evaluationCount = rng.chance(0.1) ? 2 : 1;
        evaluated.callIds[k] = id;
        evaluated.agentIds[k] = agentId;
        evaluated.teamIds[k] = teamId;
        evaluated.startedAtMs[k] = t;
        evaluated.counts[k] = evaluationCount;
        evaluated.durationS[k] = duration;
        evaluated.holdS[k] = hold;
        evaluated.length += 1;
        counts.evaluated += 1;
      }
      const hasTranscript = recorded && rng.chance(options.transcriptShare);
      const source = pushed ? 'default' : 'acd';
      const externalId = `${pushed ? 'PBX' : 'ACD'}-${String(id).padStart(9, '0')}`;
      const createdMs = pushed ? t + duration * 1000 + 45_000 : dayMs + DAY_MS + 2 * 3_600_000;

      row[0] = id;
      row[1] = source;
      row[2] = externalId;
      row[3] = agentId;
      row[4] = teamId;
      row[5] = teamQueue.get(teamId)!;
      row[6] = new Date(t).toISOString();
      row[7] = inbound ? 'inbound' : 'outbound';
      row[8] = category[0];
      row[9] = wait;
      row[10] = hold;
      row[11] = duration;
      row[12] = csat;
      row[13] = abandoned ? 1 : 0;
      row[14] = evaluationCount;
      row[15] = recorded ? 'stored' : null;
      row[16] = recorded ? shared.file : null;
      row[17] = recorded ? `${externalId}.wav` : null;
      row[18] = recorded ? 'audio/wav' : null;
      row[19] = recorded ? shared.bytes : null;
      row[20] = recorded ? shared.sha256 : null;
      row[21] = recorded ? 'PCM' : null;
      row[22] = recorded ? 1 : null;
      row[23] = recorded ? TELEPHONY.sampleRate : null;
      row[24] = recorded ? shared.durationS : null;
      row[25] = hasTranscript ? 'vtt' : null;
      row[26] = hasTranscript ? transcripts[id % transcripts.length] : null;
      row[27] = org.adminId;
      row[28] = new Date(Math.min(createdMs, startMs + options.days * DAY_MS)).toISOString();
      stmt.run(row);

      counts.calls += 1;
      if (abandoned) counts.abandoned += 1;
      if (!inbound) counts.outbound += 1;
      if (recorded) counts.recordings_stored += 1;
      if (hasTranscript) counts.transcripts += 1;
      if (id % BATCH === 0) {
        commit.run();
        begin.run();
      }
    }
  }
  commit.run();
  return { counts, evaluated, importDays };
}

function insertAudit(
  sqlite: SQLite.Database,
  options: GenerateOptions,
  org: BuiltOrg,
  importDays: Array<[number, number]>,
  orgCreatedAt: string,
): number {
  const stmt = sqlite.prepare(
    'insert into audit_log (at, actor_id, action, entity_type, entity_id, details, ip) values (?, ?, ?, ?, ?, ?, ?)',
  );
  let n = 0;
  const run = sqlite.transaction(() => {
    for (const user of org.users) {
      stmt.run(
        orgCreatedAt,
        org.adminId,
        'user.created',
        'user',
        user.id,
        JSON.stringify({ username: user.username, role: user.role }),
        null,
      );
      n += 1;
    }
    for (const [dayMs, created] of importDays) {
      const at = new Date(dayMs + 26 * 3_600_000).toISOString();
      stmt.run(
        at,
        org.adminId,
        'calls.imported',
        null,
        null,
        JSON.stringify({ created, unchanged: 0, errors: 0 }),
        '127.0.0.1',
      );
      n += 1;
    }
    if (options.audit === 'full') {
      const calls = sqlite.prepare(
        "select id, external_id, created_at, recording_status from calls where source = 'default'",
      );
      for (const call of calls.iterate() as Iterable<{
        id: number;
        external_id: string;
        created_at: string;
        recording_status: string | null;
      }>) {
        stmt.run(
          call.created_at,
          org.adminId,
          'call.created',
          'call',
          call.id,
          JSON.stringify({ external_id: call.external_id, recording: call.recording_status === 'stored' }),
          '127.0.0.1',
        );
        n += 1;
      }
    }
  });
  run();
  return n;
}

export function optionsFromArgs(argv: string[]): {
  options: GenerateOptions;
  out: string;
  force: boolean;
  migrationsDir: string;
} {
  const args = parseArgs(argv);
  const audit = args.get('audit') ?? DEFAULT_OPTIONS.audit;
  if (audit !== 'light' && audit !== 'full') throw new Error('--audit must be light or full');
  const options: GenerateOptions = {
    calls: numberArg(args, 'calls', DEFAULT_OPTIONS.calls),
    csrs: numberArg(args, 'csrs', DEFAULT_OPTIONS.csrs),
    teams: numberArg(args, 'teams', DEFAULT_OPTIONS.teams),
    departments: numberArg(args, 'departments', DEFAULT_OPTIONS.departments),
    days: numberArg(args, 'days', DEFAULT_OPTIONS.days),
    end: args.get('end'),
    seed: numberArg(args, 'seed', DEFAULT_OPTIONS.seed),
    scryptLogN: numberArg(args, 'scrypt-log-n', DEFAULT_OPTIONS.scryptLogN),
    recordedShare: floatArg(args, 'recorded-share', DEFAULT_OPTIONS.recordedShare),
    recordingDays: numberArg(args, 'recording-days', DEFAULT_OPTIONS.recordingDays),
    abandonedShare: floatArg(args, 'abandoned-share', DEFAULT_OPTIONS.abandonedShare),
    outboundShare: floatArg(args, 'outbound-share', DEFAULT_OPTIONS.outboundShare),
    evaluatedShare: floatArg(args, 'evaluated-share', DEFAULT_OPTIONS.evaluatedShare),
    transcriptShare: floatArg(args, 'transcript-share', DEFAULT_OPTIONS.transcriptShare),
    csatShare: floatArg(args, 'csat-share', DEFAULT_OPTIONS.csatShare),
    audit,
    analyze: flagArg(args, 'analyze'),
  };
  if (options.scryptLogN < 10 || options.scryptLogN > 20)
    throw new Error('--scrypt-log-n must be 10..20 (the app refuses others)');
  if (options.days < 1) throw new Error('--days must be at least 1');
  const migrationsDir = path.resolve(args.get('migrations') ?? DEFAULT_MIGRATIONS_DIR);
  const out = path.resolve(args.get('out') ?? defaultDatasetDir(options, migrationsDir));
  return { options, out, force: flagArg(args, 'force'), migrationsDir };
}

/** Reuses a finished dataset with the same options in `dir`, or generates one. */
export async function ensureDataset(
  options: GenerateOptions,
  dir: string,
  force = false,
  migrationsDir = DEFAULT_MIGRATIONS_DIR,
): Promise<Manifest> {
  const existing = readManifest(dir);
  const key = datasetKey(options, migrationsDir);
  if (!force && existing && existing.key === key && existing.generatorVersion === GENERATOR_VERSION) {
    log(`reusing ${dir} (${shortCount(existing.options.calls)} calls, generated ${existing.generatedAt})`);
    return existing;
  }
  log(`generating ${shortCount(options.calls)} calls into ${dir}`);
  const { manifest } = await generateDataset(options, dir, migrationsDir);
  log(
    `done in ${(manifest.generatedInMs / 1000).toFixed(1)} s: ${(manifest.databaseBytes / 1048576).toFixed(0)} MB database`,
  );
  return manifest;
}

async function main(): Promise<void> {
  const { options, out, force, migrationsDir } = optionsFromArgs(process.argv.slice(2));
  const manifest = await ensureDataset(options, out, force, migrationsDir);
  log(`counts ${JSON.stringify(manifest.counts)}`);
  log(
    `accounts (password "${manifest.password}"): ${Object.values(manifest.accounts)
      .map((a) => a.username)
      .join(', ')}`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
