import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import type { User } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, PASSWORD, type Org } from '../helpers/builders';
import {
  itemsOf,
  makeCall,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
} from '../helpers/scoring';
import {
  bodyPaths,
  GOOD_DATES,
  IMPOSSIBLE_DATES,
  hostileJson,
  hostileQueryString,
  HUGE,
  PROTO_NAMES,
  protoObject,
  setAt,
  shorten,
  validFor,
  type Parameter,
  type Pools,
  type Schema,
} from './fuzz-arbitraries';

// Issue 14: a fuzz test driven by /api/openapi.json. Every documented operation gets requests built from its
// parameters and JSON body schema, valid values mixed with wrong types, boundary numbers, impossible dates,
// prototype names, huge strings and unicode; as an admin, plus a share as a supervisor and as a CSR. No answer
// may be a 5xx or carry a stack trace, and JSON errors have the contract's {"error": {"code", "message"}} shape.
// All failures of a run are gathered and listed together. FUZZ_SEED picks the seed (printed on failure),
// FUZZ_RUNS the requests per operation for the admin (the supervisor and the CSR get a fifth each).

const SEED = Number(process.env.FUZZ_SEED ?? 14_2026);
const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 34));
const ROLE_RUNS = Math.max(1, Math.ceil(RUNS / 5));
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof HTTP_METHODS)[number];

interface Operation {
  method: Method;
  template: string;
  parameters: Parameter[];
  body?: { contentType: string; schema?: Schema };
}

interface Mutation {
  where: 'path' | 'query' | 'body' | 'file' | 'content';
  name: string;
  /** set: replace the value; delete: drop it; repeat: send the key twice; bracket: key[sub]=value. */
  how: 'set' | 'delete' | 'repeat' | 'bracket';
  value: unknown;
  sub?: string;
}

interface Case {
  path: Record<string, string>;
  query: Array<[string, string]>;
  /** The valid body (JSON value, CSV text or multipart fields) the mutations change. */
  body: unknown;
  mutations: Mutation[];
}

interface Failure {
  key: string;
  actor: string;
  operation: string;
  parameter: string;
  value: string;
  /** Up to six different values that failed the same way. */
  values: string[];
  status: number;
  problem: string;
  message: string;
  request: string;
  count: number;
}

let ctx: TestContext;
let org: Org;
let operations: Operation[];
let pools: Pools;
const tokens: Record<'admin' | 'supervisor' | 'csr', string> = { admin: '', supervisor: '', csr: '' };
/** Users and tokens the fuzzing actors use; destructive operations leave them alone. */
const protectedIds = { users: new Set<number>(), tokens: new Set<number>() };
const setupProblems: string[] = [];
const failures = new Map<string, Failure>();
const unfuzzable: string[] = [];
let requestsSent = 0;

async function check<T>(
  label: string,
  res: Promise<request.Response>,
  pickOut: (body: { id: number }) => T,
): Promise<T | null> {
  const r = await res;
  if (r.status >= 300) {
    setupProblems.push(`${label}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    return null;
  }
  return pickOut(r.body);
}

function as(token: string) {
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
  return {
    get: (p: string) => auth(request(ctx.app).get(p)),
    post: (p: string, body: object) => auth(request(ctx.app).post(p)).send(body),
  };
}

async function tokenRecord(user: User): Promise<{ token: string; id: number }> {
  const token = await tokenFor(ctx.deps, user);
  const row = await ctx.deps.db
    .selectFrom('api_tokens')
    .select('id')
    .where('user_id', '=', user.id)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return { token, id: row.id };
}

/** An org with calls, a published rubric, released and failing scorecards, a dispute, coaching, calibration, training. */
async function buildFixtures(): Promise<void> {
  org = await buildOrg(ctx.deps);
  const admin = await tokenRecord(org.admin);
  const supervisor = await tokenRecord(org.supervisorA);
  const csr = await tokenRecord(org.csrA);
  tokens.admin = admin.token;
  tokens.supervisor = supervisor.token;
  tokens.csr = csr.token;
  for (const user of [org.admin, org.supervisorA, org.csrA]) protectedIds.users.add(user.id);
  for (const t of [admin, supervisor, csr]) protectedIds.tokens.add(t.id);

  const spare = await buildUser(ctx.deps, 'csr', { team_id: org.teamA });
  const spareTokens: number[] = [];
  for (let i = 0; i < 4; i += 1) spareTokens.push((await tokenRecord(spare)).id);

  const rubric = await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'on_submit' }));
  const draft = await as(admin.token).post('/api/v1/rubrics', workedExampleRubric());
  const calls = [];
  for (const agent of [org.csrA, org.csrA, org.csrA, org.csrB, org.otherCsr]) {
    calls.push(await makeCall(ctx.deps, org.admin, agent, { recording: calls.length === 0 }));
  }
  calls.push(await makeCall(ctx.deps, org.admin, null, { teamId: org.teamA }));
  const items = itemsOf(rubric);
  const good = await check(
    'a released scorecard',
    as(supervisor.token).post('/api/v1/evaluations', {
      call_id: calls[0].id,
      rubric_id: rubric.id,
      answers: workedExampleAnswers(rubric),
      submit: true,
    }),
    (b: { id: number }) => b.id,
  );
  const failing = await check(
    'a failing scorecard',
    as(supervisor.token).post('/api/v1/evaluations', {
      call_id: calls[1].id,
      rubric_id: rubric.id,
      answers: items.map((item, i) => ({
        item_id: item.id,
        value: i < 2 ? 'no' : item.type === 'scale' ? 0 : (item.options[0]?.id ?? 0),
      })),
      submit: true,
    }),
    (b: { id: number }) => b.id,
  );
  const draftEval = await check(
    'a draft scorecard',
    as(supervisor.token).post('/api/v1/evaluations', { call_id: calls[2].id, rubric_id: rubric.id, answers: [] }),
    (b: { id: number }) => b.id,
  );
  const evaluations = [good, failing, draftEval].filter((id): id is number => id !== null);
  let disputeId: number | null = null;
  if (good !== null) {
    disputeId = await check(
      'a dispute',
      as(csr.token).post(`/api/v1/evaluations/${good}/disputes`, {
        item_ids: [items[1].id],
        reason: 'I did give my name',
      }),
      (b: { id: number }) => b.id,
    );
  }
  const calibration = await check(
    'a calibration session',
    as(admin.token).post('/api/v1/calibration-sessions', {
      call_id: calls[3].id,
      rubric_id: rubric.id,
      evaluator_ids: [org.supervisorA.id, org.supervisorB.id],
      title: 'Fuzz',
    }),
    (b: { id: number }) => b.id,
  );
  const course = await check(
    'a course',
    as(admin.token).post('/api/v1/training/courses', { title: 'Empathy', cost_cents: 5000, group_rule: null }),
    (b: { id: number }) => b.id,
  );
  const coaching = await as(admin.token).get('/api/v1/coaching-tasks');
  const coachingIds = ((coaching.body as { items?: Array<{ id: number }> }).items ?? []).map((t) => t.id);
  if (coachingIds.length === 0) setupProblems.push('no coaching task came out of the failing scorecard');

  const users = [
    org.admin,
    org.manager,
    org.otherManager,
    org.supervisorA,
    org.supervisorB,
    org.otherSupervisor,
    org.csrA,
    org.csrA2,
    org.csrB,
    org.otherCsr,
    spare,
  ];
  pools = {
    ids: {
      calls: calls.map((c) => c.id),
      rubrics: [rubric.id, ...(draft.status === 201 ? [(draft.body as { id: number }).id] : [])],
      items: items.map((i) => i.id),
      evaluations,
      disputes: disputeId === null ? [] : [disputeId],
      'calibration-sessions': calibration === null ? [] : [calibration],
      'coaching-tasks': coachingIds,
      courses: course === null ? [] : [course],
      departments: [org.departmentId, org.otherDepartmentId],
      teams: [org.teamA, org.teamB, org.otherTeam],
      users: users.map((u) => u.id),
      /** DELETE /api/v1/tokens/{id} and PATCH /api/v1/users/{id} aim at these, never at the actors. */
      tokens: spareTokens,
      'users-destructive': users.filter((u) => !protectedIds.users.has(u.id)).map((u) => u.id),
      revisions: [1, 2],
    },
    usernames: users.map((u) => u.username),
    csrUsernames: [org.csrA, org.csrA2, org.csrB].map((u) => u.username),
    password: PASSWORD,
  };
}

function readOperations(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const shared = ((item as { parameters?: Parameter[] }).parameters ?? []) as Parameter[];
    for (const [key, raw] of Object.entries(item)) {
      if (!(HTTP_METHODS as readonly string[]).includes(key)) {
        if (['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(key)) {
          unfuzzable.push(`${key.toUpperCase()} ${template}: method not fuzzed`);
        }
        continue;
      }
      const op = raw as { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
      const parameters = [...shared, ...(op.parameters ?? [])];
      const content = op.requestBody?.content ?? {};
      const contentType = Object.keys(content)[0];
      out.push({
        method: key as Method,
        template,
        parameters,
        body: contentType ? { contentType, schema: content[contentType].schema } : undefined,
      });
    }
  }
  return out;
}

function resourceOf(op: Operation): string {
  const segment = op.template.split('/{')[0].split('/').pop() ?? '';
  if (op.method === 'patch' && segment === 'users') return 'users-destructive';
  return segment;
}

function isDestructive(op: Operation): boolean {
  return (
    (op.method === 'delete' && op.template === '/api/v1/tokens/{id}') ||
    (op.method === 'patch' && op.template === '/api/v1/users/{id}')
  );
}

function isDateParam(p: Parameter): boolean {
  return p.schema?.format === 'date' || p.schema?.format === 'date-time' || ['from', 'to'].includes(p.name);
}

const hostileId = fc.oneof(
  fc.constantFrom('0', '-1', '1.5', '1e3', '2147483648', '9007199254740993', '99999999999999999999', 'NaN'),
  fc.constantFrom('abc', '__proto__', 'constructor', 'toString', '%20', '%00', '1%20', '0x1', '+1', '１'),
  fc.integer().map(String),
  hostileQueryString(),
);

const CSV_HEADER = 'external_id,agent,started_at,direction,category,queue_wait_s,hold_s,duration_s,csat,abandoned';

function csvCell(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const MULTIPART_FILES: Array<{ field: string; name: string; content: Buffer; type: string }> = [
  { field: 'recording', name: 'call.wav', content: Buffer.from('not really a wav file'), type: 'audio/wav' },
  { field: 'recording', name: 'empty.mp3', content: Buffer.alloc(0), type: 'audio/mpeg' },
  {
    field: 'recording',
    name: '../../etc/passwd.wav',
    content: Buffer.concat([Buffer.from('RIFF\xff\xff\xff\xffWAVEfmt '), Buffer.alloc(64, 0xff)]),
    type: 'audio/wav',
  },
  { field: 'recording', name: '__proto__', content: Buffer.from('\x89PNG\r\n\x1a\n'), type: 'image/png' },
  {
    field: 'transcript',
    name: 't.vtt',
    content: Buffer.from('WEBVTT\n\n99:99.999 --> xx\n\u0000\uFFFD'),
    type: 'text/vtt',
  },
  { field: 'transcript', name: 't.txt', content: Buffer.from(HUGE), type: 'text/plain' },
  { field: 'transcript', name: 'ñandú 😀.vtt', content: Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), type: 'text/vtt' },
  { field: 'evil', name: 'x.bin', content: Buffer.from('x'), type: 'application/octet-stream' },
];

/** The arbitrary for one request to one operation: a valid baseline and one to three mutations (sometimes none). */
function caseArbitrary(op: Operation): fc.Arbitrary<Case> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const resource = resourceOf(op);
  const idPool = pools.ids[resource] ?? [];
  const pathArb = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [p.name, idPool.length > 0 ? fc.constantFrom(...idPool).map(String) : hostileId]),
    ) as Record<string, fc.Arbitrary<string>>,
  );
  const queryArb = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.option(validFor(p.schema, p.name, pools), { nil: undefined, freq: 2 }).map((v) => [p.name, v] as const),
      ),
    )
    .map((pairs) => pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)] as [string, string]));

  let bodyArb: fc.Arbitrary<unknown> = fc.constant(undefined);
  const bodyTargets: Array<Array<string | number>> = [];
  const ct = op.body?.contentType;
  if (ct === 'application/json') {
    bodyArb = validFor(op.body?.schema, '', pools);
    bodyTargets.push(...bodyPaths(op.body?.schema));
  } else if (ct === 'multipart/form-data') {
    bodyArb = validFor(op.body?.schema, '', pools).map((fields) => {
      const out = { ...(fields as Record<string, unknown>) };
      delete out.recording;
      delete out.transcript;
      return out;
    });
    bodyTargets.push(
      ...Object.keys(op.body?.schema?.properties ?? {})
        .filter((k) => k !== 'recording' && k !== 'transcript')
        .map((k) => [k]),
    );
  } else if (ct === 'text/csv') {
    bodyArb = fc
      .array(
        fc.record({
          external_id: fc.uuid(),
          agent: fc.constantFrom(...pools.csrUsernames),
          started_at: validFor({ type: 'string', format: 'date-time' }, 'started_at', pools),
          direction: fc.constantFrom('inbound', 'outbound'),
          category: fc.constantFrom('returns', 'billing'),
          queue_wait_s: fc.integer({ min: 0, max: 300 }),
          hold_s: fc.integer({ min: 0, max: 300 }),
          duration_s: fc.integer({ min: 1, max: 3000 }),
          csat: fc.integer({ min: 1, max: 5 }),
          abandoned: fc.constant('false'),
        }),
        { minLength: 1, maxLength: 3 },
      )
      .map((rows) => rows.map((r) => ({ ...r }) as Record<string, unknown>));
    bodyTargets.push(...CSV_HEADER.split(',').map((k) => [0, k]));
  } else if (ct) {
    unfuzzable.push(`${op.method.toUpperCase()} ${op.template}: request body ${ct} is not fuzzed`);
  }

  const mutationArbs: Array<fc.Arbitrary<Mutation>> = [];
  for (const p of pathParams) {
    mutationArbs.push(hostileId.map((value) => ({ where: 'path', name: p.name, how: 'set', value })));
    const others = Object.entries(pools.ids)
      .filter(([name]) => name !== resource)
      .flatMap(([, ids]) => ids);
    if (others.length > 0) {
      mutationArbs.push(
        fc.constantFrom(...others).map((v) => ({ where: 'path', name: p.name, how: 'set', value: String(v) })),
      );
    }
  }
  for (const p of queryParams) {
    mutationArbs.push(
      fc.oneof(
        {
          weight: 6,
          arbitrary: hostileQueryString().map((value): Mutation => ({
            where: 'query',
            name: p.name,
            how: 'set',
            value,
          })),
        },
        {
          // Dates get the wave 2 rule's cases often: impossible dates, and date-times with offsets.
          weight: isDateParam(p) ? 8 : 0,
          arbitrary: fc
            .constantFrom(...IMPOSSIBLE_DATES, ...GOOD_DATES)
            .map((value): Mutation => ({ where: 'query', name: p.name, how: 'set', value })),
        },
        { weight: 1, arbitrary: fc.constant<Mutation>({ where: 'query', name: p.name, how: 'set', value: '' }) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(validFor(p.schema, p.name, pools), hostileQueryString())
            .map(([a, b]): Mutation => ({ where: 'query', name: p.name, how: 'repeat', value: [String(a), b] })),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom('a', '0', '', ...PROTO_NAMES), hostileQueryString())
            .map(([sub, value]): Mutation => ({ where: 'query', name: p.name, how: 'bracket', sub, value })),
        },
      ),
    );
  }
  mutationArbs.push(
    fc
      .tuple(
        fc.constantFrom(...PROTO_NAMES, 'constructor[prototype][polluted]', '__proto__[polluted]'),
        hostileQueryString(),
      )
      .map(([name, value]): Mutation => ({ where: 'query', name, how: 'set', value })),
  );
  for (const target of bodyTargets) {
    const name = target.join('.');
    mutationArbs.push(
      fc.oneof(
        { weight: 5, arbitrary: hostileJson().map((value): Mutation => ({ where: 'body', name, how: 'set', value })) },
        { weight: 1, arbitrary: fc.constant<Mutation>({ where: 'body', name, how: 'delete', value: undefined }) },
      ),
    );
  }
  if (ct === 'application/json') {
    mutationArbs.push(
      fc
        .constantFrom<unknown>(
          null,
          [],
          [{}],
          'a string',
          42,
          true,
          HUGE,
          { [HUGE.slice(0, 1000)]: 1 },
          protoObject({ admin: true, role: 'admin' }),
          { constructor: { prototype: { role: 'admin' } } },
          { __proto__x: 1, toString: 'x', valueOf: 1, hasOwnProperty: 'x' },
          '__MALFORMED__{"a":',
          '__MALFORMED__{"a":1,}',
          '__MALFORMED__\u0000',
          '__TOOBIG__',
        )
        .map((value): Mutation => ({ where: 'body', name: '(whole body)', how: 'set', value })),
    );
  }
  if (op.body) {
    mutationArbs.push(
      fc
        .constantFrom(
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          'multipart/form-data',
          '',
          'application/json',
          'text/csv',
        )
        .filter((t) => t !== ct)
        .map((value): Mutation => ({ where: 'content', name: 'content-type', how: 'set', value })),
    );
  }
  if (ct === 'multipart/form-data') {
    mutationArbs.push(
      fc.subarray(MULTIPART_FILES, { minLength: 1, maxLength: 2 }).map((files): Mutation => ({
        where: 'file',
        name: files.map((f) => `${f.field}:${f.name}`).join('+'),
        how: 'set',
        value: files,
      })),
    );
  }
  if (ct === 'text/csv') {
    mutationArbs.push(
      fc
        .tuple(
          fc.constantFrom('format'),
          fc.oneof(fc.constantFrom('callscore', 'asterisk', 'freeswitch'), hostileQueryString()),
        )
        .map(([name, value]): Mutation => ({ where: 'query', name, how: 'set', value })),
      fc
        .constantFrom(
          '',
          '\uFEFF' + CSV_HEADER,
          'a,b,c\n"unterminated',
          'x,'.repeat(5000),
          '\u0000\u0001\u0002',
          '"","","","","","","","","","","","","","","",""\n'.repeat(3),
          `${CSV_HEADER}\n${'x,'.repeat(9)}x\n`.repeat(2),
          `__proto__,constructor,toString\n1,2,3`,
        )
        .map((value): Mutation => ({ where: 'body', name: '(whole body)', how: 'set', value })),
    );
  }

  const mutation = mutationArbs.length > 0 ? fc.oneof(...mutationArbs) : null;
  const mutationsArb = mutation
    ? fc.oneof(
        { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
        { weight: 4, arbitrary: mutation.map((m) => [m]) },
        // Many at once covers more per request; a failure is then re-sent one mutation at a time to name its cause.
        { weight: 5, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 6 }) },
      )
    : fc.constant<Mutation[]>([]);
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb, mutations: mutationsArb });
}

interface Prepared {
  url: string;
  contentType?: string;
  json?: string;
  raw?: string;
  fields?: Array<[string, string]>;
  files?: Array<{ field: string; name: string; content: Buffer; type: string }>;
}

function fieldText(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(fieldText);
  if (value === null) return ['null'];
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

function prepare(op: Operation, c: Case, mutations: Mutation[], actor: string): Prepared {
  const pathValues = { ...c.path };
  let query: Array<[string, string]> = [...c.query];
  let body: unknown = c.body;
  let contentType = op.body?.contentType;
  let files: NonNullable<Prepared['files']> = [];
  for (const m of mutations) {
    if (m.where === 'path') pathValues[m.name] = String(m.value);
    else if (m.where === 'query') {
      query = query.filter(([k]) => k !== m.name);
      if (m.how === 'set') query.push([m.name, String(m.value)]);
      else if (m.how === 'repeat') for (const v of m.value as string[]) query.push([m.name, v]);
      else if (m.how === 'bracket') query.push([`${m.name}[${m.sub}]`, String(m.value)]);
    } else if (m.where === 'content') contentType = String(m.value);
    else if (m.where === 'file') files = m.value as NonNullable<Prepared['files']>;
    else if (m.where === 'body') {
      if (m.name === '(whole body)') body = m.value;
      else {
        const target = m.name.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        body = setAt(body, target, m.how === 'delete' ? undefined : m.value);
      }
    }
  }
  // Destructive operations never aim at the actors' own user or token.
  if (isDestructive(op) && pathValues.id !== undefined && /^\d+$/.test(pathValues.id)) {
    const id = Number(pathValues.id);
    const guard = op.method === 'delete' ? protectedIds.tokens : protectedIds.users;
    if (guard.has(id)) pathValues.id = String(pools.ids[resourceOf(op)]?.[0] ?? 999999);
  }
  // A fresh external_id keeps the valid baseline from colliding with earlier requests' calls.
  if (op.body?.contentType === 'multipart/form-data' && body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.external_id === 'string' && !mutations.some((m) => m.name === 'external_id')) {
      b.external_id = `${actor}-${requestsSent}-${b.external_id}`;
    }
  }
  const url =
    op.template.replace(/\{(\w+)\}/g, (_m, name: string) => encode(pathValues[name] ?? '1')) +
    (query.length > 0 ? '?' + query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&') : '');
  const prepared: Prepared = { url, contentType };
  if (body === undefined && files.length === 0) return prepared;
  if (op.body?.contentType === 'multipart/form-data' && contentType === 'multipart/form-data') {
    const fields: Array<[string, string]> = [];
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      for (const [k, v] of Object.entries(body)) for (const t of fieldText(v)) fields.push([k, t]);
    }
    prepared.fields = fields;
    prepared.files = files;
    return prepared;
  }
  if (op.body?.contentType === 'text/csv' && Array.isArray(body)) {
    const cols = CSV_HEADER.split(',');
    prepared.raw =
      [
        CSV_HEADER,
        ...body.map((row) => cols.map((k) => csvCell((row as Record<string, unknown>)?.[k])).join(',')),
      ].join('\n') + '\n';
    return prepared;
  }
  if (typeof body === 'string' && body.startsWith('__MALFORMED__')) prepared.raw = body.slice('__MALFORMED__'.length);
  else if (body === '__TOOBIG__') prepared.raw = JSON.stringify({ filler: 'x'.repeat(300 * 1024) });
  else if (typeof body === 'string' && op.body?.contentType === 'text/csv') prepared.raw = body;
  else prepared.json = JSON.stringify(body) ?? 'null';
  return prepared;
}

/** encodeURIComponent, with a lone surrogate sent as the (invalid UTF-8) bytes ED A0 80 instead of throwing. */
function encode(text: string): string {
  return text
    .split(/([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/)
    .map((part, i) => (i % 2 === 1 ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

function describeRequest(op: Operation, p: Prepared, actor: string): string {
  let text = `${op.method.toUpperCase()} ${shorten(p.url)} as ${actor}`;
  if (p.contentType !== undefined && (p.json ?? p.raw ?? p.fields) !== undefined)
    text += ` [${p.contentType || 'no content-type'}]`;
  if (p.json !== undefined) text += ` ${shorten(p.json)}`;
  if (p.raw !== undefined) text += ` ${shorten(p.raw)}`;
  if (p.fields) text += ` fields ${shorten(p.fields.map(([k, v]) => `${k}=${v}`).join('&'))}`;
  if (p.files?.length) text += ` files ${p.files.map((f) => `${f.field}=${f.name}(${f.content.length} B)`).join(', ')}`;
  return text;
}

async function send(op: Operation, p: Prepared, token: string): Promise<request.Response> {
  requestsSent += 1;
  let t = request(ctx.app)[op.method](p.url).set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
  if (p.fields) {
    for (const [k, v] of p.fields) t = t.field(k, v);
    for (const f of p.files ?? []) t = t.attach(f.field, f.content, { filename: f.name, contentType: f.type });
    return t;
  }
  const payload = p.json ?? p.raw;
  if (payload === undefined) return t;
  if (p.contentType) t = t.set('Content-Type', p.contentType);
  return t.send(payload);
}

const STACK_FRAME = /\n\s+at |^\s{4}at \S/m;
const SOURCE_PATH = /(?:\/|\\|\b)(?:src|dist|node_modules)[/\\][\w./\\-]+\.(?:ts|js|mjs|cjs)\b/;

/** What is wrong with an answer: not 5xx, no stack trace, JSON errors shaped as the contract says. */
function problemsOf(res: request.Response): Array<{ problem: string; message: string }> {
  const out: Array<{ problem: string; message: string }> = [];
  const type = String(res.headers['content-type'] ?? '');
  const textual = /json|text|html|xml/.test(type) || type === '';
  const text = textual ? (res.text ?? '') : '';
  const body = res.body as { error?: { code?: unknown; message?: unknown } } | undefined;
  const message =
    typeof body?.error?.message === 'string' ? body.error.message : text.replace(/\s+/g, ' ').slice(0, 160);
  if (res.status >= 500) out.push({ problem: `status ${res.status}`, message });
  if (STACK_FRAME.test(text))
    out.push({ problem: 'stack trace in the body', message: (STACK_FRAME.exec(text)?.input ?? '').slice(0, 160) });
  const pathMatch = SOURCE_PATH.exec(text);
  if (pathMatch) out.push({ problem: 'source file path in the body', message: pathMatch[0] });
  if (res.status >= 400) {
    if (!/json/.test(type))
      out.push({ problem: `${res.status} error is not JSON (${type || 'no content-type'})`, message });
    else {
      const e = body?.error;
      const shaped =
        e !== null &&
        typeof e === 'object' &&
        typeof e.code === 'string' &&
        e.code.length > 0 &&
        typeof e.message === 'string' &&
        e.message.length > 0;
      if (!shaped) out.push({ problem: 'error body not {"error": {"code", "message"}}', message: shorten(res.body) });
    }
  }
  return out;
}

function mutationLabel(ms: Mutation[]): string {
  if (ms.length === 0) return '(valid request)';
  return ms
    .map(
      (m) =>
        `${m.where}:${m.name}${m.how === 'bracket' ? `[${m.sub}]` : ''}${m.how === 'repeat' ? ' (repeated)' : ''}${m.how === 'delete' ? ' (left out)' : ''}`,
    )
    .join(' + ');
}

function mutationValue(ms: Mutation[]): string {
  return ms.map((m) => (m.how === 'delete' ? '(absent)' : shorten(m.value))).join(' + ');
}

function record(
  actor: string,
  op: Operation,
  ms: Mutation[],
  p: Prepared,
  res: request.Response,
  problems: Array<{ problem: string; message: string }>,
) {
  const operation = `${op.method.toUpperCase()} ${op.template}`;
  const parameter = mutationLabel(ms);
  for (const { problem, message } of problems) {
    const normalized = message.replace(/\d+/g, 'N').slice(0, 120);
    const key = `${operation} | ${parameter} | ${res.status} | ${problem} | ${normalized}`;
    const seen = failures.get(key);
    if (seen) {
      seen.count += 1;
      const value = mutationValue(ms);
      if (seen.values.length < 6 && !seen.values.includes(value)) seen.values.push(value);
      continue;
    }
    failures.set(key, {
      key,
      actor,
      operation,
      parameter,
      value: mutationValue(ms),
      values: [mutationValue(ms)],
      status: res.status,
      problem,
      message,
      request: describeRequest(op, p, actor),
      count: 1,
    });
  }
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/** Every date parameter gets every impossible date and every good date or date-time, one at a time. */
function dateSweep(op: Operation): Case[] {
  const path = Object.fromEntries(
    op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, String(pools.ids[resourceOf(op)]?.[0] ?? 1)]),
  );
  return op.parameters
    .filter((p) => p.in === 'query' && isDateParam(p))
    .flatMap((p) =>
      [...IMPOSSIBLE_DATES, ...GOOD_DATES].map((value): Case => ({
        path,
        query: [],
        body: undefined,
        mutations: [{ where: 'query', name: p.name, how: 'set', value }],
      })),
    );
}

async function fuzzOperation(op: Operation, actor: keyof typeof tokens, runs: number, sweep = false): Promise<void> {
  const seed = (SEED ^ hash(`${actor} ${op.method} ${op.template}`)) | 0;
  const cases = [...(sweep ? dateSweep(op) : []), ...fc.sample(caseArbitrary(op), { seed, numRuns: runs })];
  for (const c of cases) {
    const p = prepare(op, c, c.mutations, actor);
    let res: request.Response;
    try {
      res = await send(op, p, tokens[actor]);
    } catch (err) {
      record(actor, op, c.mutations, p, { status: 0, headers: {}, text: '' } as unknown as request.Response, [
        { problem: 'no answer (connection error)', message: String((err as Error).message) },
      ]);
      continue;
    }
    const problems = problemsOf(res);
    if (problems.length === 0) continue;
    // Several mutations at once: find which one alone reproduces it, so each failure names its parameter.
    let attributed = false;
    if (c.mutations.length > 1) {
      for (const m of c.mutations) {
        const single = prepare(op, c, [m], actor);
        const again = await send(op, single, tokens[actor]).catch(() => null);
        if (!again) continue;
        const alone = problemsOf(again);
        if (alone.length > 0) {
          record(actor, op, [m], single, again, alone);
          attributed = true;
        }
      }
    }
    if (!attributed) record(actor, op, c.mutations, p, res, problems);
  }
}

beforeAll(async () => {
  ctx = makeTestApp();
  const res = await request(ctx.app).get('/api/openapi.json');
  expect(res.status).toBe(200);
  operations = readOperations(res.body);
  await buildFixtures();
}, 120_000);
afterAll(async () => ctx?.close());

test(`no fuzzed request to /api/openapi.json's operations answers 5xx, a stack trace or a malformed error (seed ${SEED})`, async () => {
  const started = Date.now();
  const safe = operations.filter((op) => !isDestructive(op));
  const destructive = operations.filter(isDestructive);
  for (const op of safe) await fuzzOperation(op, 'admin', RUNS, true);
  for (const op of safe) await fuzzOperation(op, 'supervisor', ROLE_RUNS);
  for (const op of safe) await fuzzOperation(op, 'csr', ROLE_RUNS);
  // Last: they revoke tokens and deactivate users (never the actors' own).
  for (const actor of ['csr', 'supervisor', 'admin'] as const) {
    for (const op of destructive) await fuzzOperation(op, actor, actor === 'admin' ? RUNS : ROLE_RUNS);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const list = [...failures.values()].sort((a, b) => a.key.localeCompare(b.key));
  const reportFile = path.join(os.tmpdir(), `callscore-fuzz-${SEED}.json`);
  fs.writeFileSync(
    reportFile,
    JSON.stringify(
      { seed: SEED, runs: RUNS, requests: requestsSent, seconds, setupProblems, unfuzzable, failures: list },
      null,
      2,
    ),
  );
  const summary = [
    `API fuzz: seed ${SEED} (FUZZ_SEED), ${RUNS} runs per operation (FUZZ_RUNS), ${operations.length} operations, ${requestsSent} requests in ${seconds} s`,
    `not fuzzed: ${unfuzzable.length === 0 ? 'none' : unfuzzable.join('; ')}`,
    `fixture problems: ${setupProblems.length === 0 ? 'none' : setupProblems.join('; ')}`,
    `full report: ${reportFile}`,
  ].join('\n');
  console.log(summary);
  expect(requestsSent).toBeGreaterThanOrEqual(Number(process.env.FUZZ_RUNS ? 0 : 2000));
  const listing = list.map(
    (f, i) =>
      `${i + 1}. ${f.operation} — ${f.parameter} = ${f.values.join(' | ')} → ${f.status}: ${f.problem}: ${shorten(f.message)} (×${f.count})\n     ${f.request}`,
  );
  if (list.length > 0) {
    throw new Error(
      `${list.length} distinct failures (FUZZ_SEED=${SEED} to reproduce):\n${listing.join('\n')}\n\n${summary}`,
    );
  }
}, 600_000);
