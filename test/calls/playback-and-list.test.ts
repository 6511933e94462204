import fs from 'node:fs';
import request from 'supertest';
import { RecordingStorage } from '../../src/recordings/storage';
import { ingestCall } from '../../src/calls/ingest.service';
import type { Call } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { callFields, flac, pushCall, recordingFile, sample, tokenFor, VTT } from './fixtures';

let ctx: TestContext;
let org: Org;
type Who = 'admin' | 'manager' | 'otherManager' | 'supervisorA' | 'supervisorB' | 'otherSupervisor' | 'csrA' | 'csrB';
const WHO: Who[] = [
  'admin',
  'manager',
  'otherManager',
  'supervisorA',
  'supervisorB',
  'otherSupervisor',
  'csrA',
  'csrB',
];
let tokens: Record<Who, string>;
let sessions: Record<Who, Agent>;
let recorded: { teamA: Call; other: Call; flac: Call; utf8: Call; bare: Call };
const GOOD = sample('call-good-returns.wav');
const UTF8_NAME = 'Gespräch – Kunde €.wav';

/** Collects a response body as bytes (superagent hands parsers the raw response stream). */
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

function apiGet(who: Who, path: string) {
  return request(ctx.app).get(path).set('Authorization', `Bearer ${tokens[who]}`);
}

function getAudio(who: Who, path: string, range?: string) {
  let req = apiGet(who, path).buffer(true).parse(binary);
  if (range) req = req.set('Range', range);
  return req;
}

async function storedCall(who: Who, fields: Record<string, string>, files: Parameters<typeof pushCall>[3]) {
  const res = await pushCall(ctx.app, tokens[who], fields, files);
  if (res.status !== 201) throw new Error(`seed call: ${res.status} ${res.text}`);
  return ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
}

/** A call whose recording has a UTF-8 original name, stored through the service as the demo loader does. */
async function storedWithName(originalName: string): Promise<Call> {
  const stagedName = RecordingStorage.newName();
  fs.writeFileSync(ctx.deps.storage.stagedPath(stagedName), GOOD);
  const result = await ingestCall(
    ctx.deps,
    { id: org.admin.id, role: 'admin' },
    callFields(org.csrA.username, { started_at: '2026-11-19T08:00:00Z' }),
    { recording: { stagedName, originalName, size: GOOD.length } },
  );
  return result.call;
}

const AGENTS = ['csrA', 'csrA2', 'csrB', 'otherCsr'] as const;
const CATEGORIES = ['returns', 'billing', 'order status'];
const DURATIONS = [30, 60, 60, 120, 300];
const HOLDS = [0, 0, 15, 30];

/** 48 call records over three teams, with ties on every sort column and some CSAT left empty. */
function seedCsv(): string {
  const lines = ['external_id,agent,started_at,direction,category,queue_wait_s,hold_s,duration_s,csat'];
  for (let i = 0; i < 48; i += 1) {
    const agent = org[AGENTS[i % 4]].username;
    const day = 1 + ((i * 7) % 14);
    const hour = 8 + (Math.floor(i / 2) % 9); // pairs share a start time
    const started = `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
    const direction = i % 3 === 0 ? 'outbound' : 'inbound';
    const csat = i % 6 === 0 ? '' : String((i % 5) + 1);
    lines.push(
      [
        `list-${i}`,
        agent,
        started,
        direction,
        CATEGORIES[(i * 2) % 3],
        (i * 13) % 50,
        HOLDS[Math.floor(i / 2) % 4],
        DURATIONS[i % 5],
        csat,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const users: Record<Who, string> = {
    admin: org.admin.username,
    manager: org.manager.username,
    otherManager: org.otherManager.username,
    supervisorA: org.supervisorA.username,
    supervisorB: org.supervisorB.username,
    otherSupervisor: org.otherSupervisor.username,
    csrA: org.csrA.username,
    csrB: org.csrB.username,
  };
  tokens = {} as Record<Who, string>;
  sessions = {} as Record<Who, Agent>;
  for (const who of WHO) {
    tokens[who] = await tokenFor(ctx.app, users[who]);
    sessions[who] = await signIn(ctx.app, users[who]);
  }
  recorded = {
    teamA: await storedCall('admin', callFields(org.csrA.username, { started_at: '2026-11-18T09:00:00Z' }), [
      recordingFile(GOOD, 'call-good-returns.wav'),
      { field: 'transcript', bytes: Buffer.from(VTT), filename: 't.vtt', contentType: 'text/vtt' },
    ]),
    other: await storedCall('admin', callFields(org.otherCsr.username, { started_at: '2026-11-18T10:00:00Z' }), [
      recordingFile(sample('call-no-greeting.wav')),
    ]),
    flac: await storedCall('admin', callFields(org.csrB.username, { started_at: '2026-11-18T11:00:00Z' }), [
      recordingFile(flac(), 'call.flac', 'audio/flac'),
    ]),
    utf8: await storedWithName(UTF8_NAME),
    bare: await storedCall('admin', callFields(org.csrA.username, { started_at: '2026-11-18T12:00:00Z' }), []),
  };
  const imported = await request(ctx.app)
    .post('/api/v1/calls/import')
    .set('Authorization', `Bearer ${tokens.admin}`)
    .set('Content-Type', 'text/csv')
    .send(seedCsv());
  if (imported.body.created !== 48) throw new Error(`seed import: ${imported.text}`);
  // Evaluations are another feature; the list only reads the count it keeps on the call.
  const ids = (await ctx.deps.db.selectFrom('calls').select('id').orderBy('id').execute()).map((r) => r.id);
  await ctx.deps.db
    .updateTable('calls')
    .set({ evaluation_count: 1 })
    .where(
      'id',
      'in',
      ids.filter((_id, i) => i % 4 === 1),
    )
    .execute();
});
afterAll(async () => ctx.close());

describe('playback: GET /api/v1/calls/:id/recording and /calls/:id/recording', () => {
  test('the whole recording comes with its Content-Type, length, private caching and an inline disposition', async () => {
    const res = await getAudio('supervisorA', `/api/v1/calls/${recorded.teamA.id}/recording`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(Number(res.headers['content-length'])).toBe(GOOD.length);
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['cache-control']).toMatch(/\bprivate\b/);
    expect(res.headers['content-disposition']).toBe('inline; filename="call-good-returns.wav"');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(res.body as Buffer, GOOD)).toBe(0);
  });

  test.each([
    ['the first 100 bytes', 'bytes=0-99', 0, 99],
    ['from an offset to the end', 'bytes=1000-', 1000, GOOD.length - 1],
    ['the last 500 bytes', 'bytes=-500', GOOD.length - 500, GOOD.length - 1],
    ['a range running past the end', `bytes=699000-${GOOD.length + 5000}`, 699000, GOOD.length - 1],
  ])('a Range request for %s answers 206 with that slice and its Content-Range', async (_l, range, start, end) => {
    const res = await getAudio('supervisorA', `/api/v1/calls/${recorded.teamA.id}/recording`, range);
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${GOOD.length}`);
    expect(Number(res.headers['content-length'])).toBe(end - start + 1);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(Buffer.compare(res.body as Buffer, GOOD.subarray(start, end + 1))).toBe(0);
  });

  test('a Range past the end of the file answers 416 with the size', async () => {
    const res = await getAudio('supervisorA', `/api/v1/calls/${recorded.teamA.id}/recording`, `bytes=${GOOD.length}-`);
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${GOOD.length}`);
  });

  test('the page route streams the same audio with Range support for the signed-in supervisor', async () => {
    const res = await sessions.supervisorA
      .get(`/calls/${recorded.teamA.id}/recording`)
      .set('Range', 'bytes=44-143')
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 44-143/${GOOD.length}`);
    expect(res.headers['cache-control']).toMatch(/\bprivate\b/);
    expect(Buffer.compare(res.body as Buffer, GOOD.subarray(44, 144))).toBe(0);
  });

  test('?download=1 makes it an attachment with an RFC 6266 filename* for a UTF-8 name', async () => {
    const res = await getAudio('admin', `/api/v1/calls/${recorded.utf8.id}/recording?download=1`);
    expect(res.status).toBe(200);
    const disposition = res.headers['content-disposition'];
    expect(disposition).toMatch(/^attachment; /);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(UTF8_NAME).replace(/'/g, '%27')}`);
    expect(disposition).toMatch(/filename="[^"]*\.wav"/);
  });

  test('without ?download=1 the UTF-8 name is inline', async () => {
    const res = await getAudio('admin', `/api/v1/calls/${recorded.utf8.id}/recording`);
    expect(res.headers['content-disposition']).toMatch(/^inline; /);
  });

  test('a FLAC recording is served as audio/flac', async () => {
    const res = await getAudio('manager', `/api/v1/calls/${recorded.flac.id}/recording`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/flac');
    expect(Buffer.compare(res.body as Buffer, flac())).toBe(0);
  });

  test('a call without a recording answers 404 on its recording route', async () => {
    const res = await apiGet('admin', `/api/v1/calls/${recorded.bare.id}/recording`);
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'This call has no recording.' });
  });

  test.each(['999999', 'abc', '0', '1e3'])('a call id of %s is 404', async (id) => {
    expect((await apiGet('admin', `/api/v1/calls/${id}/recording`)).status).toBe(404);
    expect((await apiGet('admin', `/api/v1/calls/${id}`)).status).toBe(404);
  });

  test('GET /api/v1/calls/:id gives the recording URL and the transcript cues with speakers', async () => {
    const res = await apiGet('supervisorA', `/api/v1/calls/${recorded.teamA.id}`);
    expect(res.status).toBe(200);
    expect(res.body.recording_url).toBe(`/api/v1/calls/${recorded.teamA.id}/recording`);
    expect(res.body.transcript.cues).toEqual([
      { start_s: 0, end_s: 2.5, speaker: 'Agent', side: 'agent', text: 'Thanks for calling, this is Dana.' },
      { start_s: 2.5, end_s: 5, speaker: 'Customer', side: 'customer', text: 'My lamp arrived broken.' },
    ]);
  });
});

describe('who may open a call and hear its recording (team A call of csrA)', () => {
  const expected: Array<[Who, number]> = [
    ['admin', 200],
    ['manager', 200],
    ['otherManager', 404],
    ['supervisorA', 200],
    ['supervisorB', 404],
    ['otherSupervisor', 404],
    ['csrA', 404], // their own call, but no released evaluation: nothing may reveal it is being looked at
    ['csrB', 404],
  ];

  test.each(expected)('%s: API call and recording → %i', async (who, status) => {
    const call = await apiGet(who, `/api/v1/calls/${recorded.teamA.id}`);
    const audio = await apiGet(who, `/api/v1/calls/${recorded.teamA.id}/recording`);
    expect([call.status, audio.status]).toEqual([status, status]);
    if (status === 404) {
      expect(call.body.error).toEqual({ code: 'not_found', message: 'No such call.' });
      expect(audio.body.error).toEqual({ code: 'not_found', message: 'No such call.' });
    }
  });

  test.each(expected.filter(([who]) => !who.startsWith('csr')))(
    '%s: call page and page recording → %i',
    async (who, status) => {
      const page = await sessions[who].get(`/calls/${recorded.teamA.id}`);
      const audio = await sessions[who].get(`/calls/${recorded.teamA.id}/recording`);
      expect([page.status, audio.status]).toEqual([status, status]);
    },
  );

  test('a CSR is refused the call list with 403, on the API and the page', async () => {
    expect((await apiGet('csrA', '/api/v1/calls')).status).toBe(403);
    expect((await sessions.csrA.get('/calls')).status).toBe(403);
  });

  test('a CSR gets 404 on the page of their own call and its recording, as for a call that does not exist', async () => {
    const own = await sessions.csrA.get(`/calls/${recorded.teamA.id}`);
    const ownAudio = await sessions.csrA.get(`/calls/${recorded.teamA.id}/recording`);
    const missing = await sessions.csrA.get('/calls/999999');
    expect([own.status, ownAudio.status, missing.status]).toEqual([404, 404, 404]);
  });
});

interface ListItem {
  id: number;
  external_id: string;
  team_id: number | null;
  agent: string | null;
  started_at: string;
  direction: string;
  category: string | null;
  duration_s: number;
  hold_s: number;
  queue_wait_s: number;
  csat: number | null;
  evaluated: boolean;
}

/** Follows next_cursor to the end; fails on a loop. */
async function walk(who: Who, query: Record<string, string | number>, limit: number): Promise<ListItem[]> {
  const items: ListItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page += 1) {
    const res = await apiGet(who, '/api/v1/calls').query({ ...query, limit, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...(res.body.items as ListItem[]));
    cursor = res.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('the cursor never ran out');
}

async function allRows() {
  return ctx.deps.db
    .selectFrom('calls')
    .leftJoin('users', 'users.id', 'calls.agent_id')
    .selectAll('calls')
    .select('users.username')
    .execute();
}

type Row = Awaited<ReturnType<typeof allRows>>[number];

function newestFirst(a: Row, b: Row) {
  return a.started_at === b.started_at ? b.id - a.id : a.started_at < b.started_at ? 1 : -1;
}

describe('GET /api/v1/calls: scope', () => {
  test.each([
    ['admin', () => [org.teamA, org.teamB, org.otherTeam]],
    ['manager', () => [org.teamA, org.teamB]],
    ['supervisorA', () => [org.teamA]],
    ['supervisorB', () => [org.teamB]],
    ['otherManager', () => [org.otherTeam]],
    ['otherSupervisor', () => [org.otherTeam]],
  ] as Array<[Who, () => number[]]>)('%s sees exactly the calls of their teams', async (who, teams) => {
    const items = await walk(who, {}, 500);
    const expected = (await allRows()).filter((r) => teams().includes(r.team_id!)).sort(newestFirst);
    expect(expected.length).toBeGreaterThan(0);
    expect(items.map((i) => i.id)).toEqual(expected.map((r) => r.id));
  });
});

describe('GET /api/v1/calls: filters', () => {
  const filters: Array<[string, () => Record<string, string | number>, (r: Row) => boolean]> = [
    ['team_id', () => ({ team_id: org.teamB }), (r) => r.team_id === org.teamB],
    ['agent', () => ({ agent: org.csrA2.username }), (r) => r.agent_id === org.csrA2.id],
    ['from (inclusive)', () => ({ from: '2026-11-08' }), (r) => r.started_at >= '2026-11-08'],
    ['to (the whole day)', () => ({ to: '2026-11-08' }), (r) => r.started_at < '2026-11-09'],
    [
      'from and to the same day',
      () => ({ from: '2026-11-08', to: '2026-11-08' }),
      (r) => r.started_at.startsWith('2026-11-08'),
    ],
    ['category', () => ({ category: 'billing' }), (r) => r.category === 'billing'],
    ['direction', () => ({ direction: 'outbound' }), (r) => r.direction === 'outbound'],
    ['evaluated=true', () => ({ evaluated: 'true' }), (r) => r.evaluation_count > 0],
    ['evaluated=false', () => ({ evaluated: 'false' }), (r) => r.evaluation_count === 0],
    ['min_duration', () => ({ min_duration: 60 }), (r) => r.duration_s >= 60],
    ['max_duration', () => ({ max_duration: 60 }), (r) => r.duration_s <= 60],
    ['min_hold', () => ({ min_hold: 15 }), (r) => r.hold_s >= 15],
    ['max_hold', () => ({ max_hold: 0 }), (r) => r.hold_s <= 0],
    [
      'several at once',
      () => ({ team_id: org.teamA, direction: 'inbound', min_duration: 60, max_hold: 15, evaluated: 'false' }),
      (r) =>
        r.team_id === org.teamA &&
        r.direction === 'inbound' &&
        r.duration_s >= 60 &&
        r.hold_s <= 15 &&
        r.evaluation_count === 0,
    ],
  ];

  test.each(filters)('%s narrows the manager’s list to the matching calls', async (_name, query, keep) => {
    const inScope = (r: Row) => r.team_id === org.teamA || r.team_id === org.teamB;
    const expected = (await allRows()).filter((r) => inScope(r) && keep(r)).sort(newestFirst);
    const scoped = (await allRows()).filter(inScope);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(scoped.length);
    const items = await walk('manager', query(), 7);
    expect(items.map((i) => i.id)).toEqual(expected.map((r) => r.id));
  });

  test('filtering on a team or an agent outside the caller’s scope finds nothing', async () => {
    expect(await walk('supervisorA', { team_id: org.otherTeam }, 50)).toEqual([]);
    expect(await walk('supervisorA', { agent: org.otherCsr.username }, 50)).toEqual([]);
    expect(await walk('supervisorA', { agent: 'nobody-at-all' }, 50)).toEqual([]);
  });

  test.each([
    ['from', 'yesterday'],
    ['min_duration', '-1'],
    ['direction', 'sideways'],
    ['evaluated', 'maybe'],
    ['sort', 'password_hash'],
    ['order', 'sideways'],
    ['limit', '501'],
    ['limit', '0'],
    ['cursor', 'not-a-cursor'],
  ])('an invalid %s (%s) is refused with 422, not a 500', async (name, value) => {
    const res = await apiGet('admin', '/api/v1/calls').query({ [name]: value });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe('GET /api/v1/calls: sorting and cursor pagination', () => {
  const sorts = ['started_at', 'duration_s', 'hold_s', 'queue_wait_s', 'csat'] as const;
  const cases = sorts.flatMap((sort) => (['asc', 'desc'] as const).map((order) => [sort, order] as const));

  test.each(cases)('walking pages sorted by %s %s yields every call once, in order', async (sort, order) => {
    const single = await walk('admin', { sort, order }, 500);
    const paged = await walk('admin', { sort, order }, 4);
    expect(paged.map((i) => i.id)).toEqual(single.map((i) => i.id));
    expect(new Set(paged.map((i) => i.id)).size).toBe(paged.length);
    expect(paged.map((i) => i.id).sort((a, b) => a - b)).toEqual(
      (await allRows()).map((r) => r.id).sort((a, b) => a - b),
    );

    // Non-null values run in the asked order, ties by id in the same order, and nulls sit together at one end.
    const dir = order === 'asc' ? 1 : -1;
    const values = paged.map((i) => i[sort]);
    const firstNull = values.indexOf(null);
    if (firstNull >= 0) {
      const nulls = values.filter((v) => v === null).length;
      const together = values.slice(firstNull, firstNull + nulls).every((v) => v === null);
      expect(together && (firstNull === 0 || firstNull + nulls === values.length)).toBe(true);
    }
    for (let k = 1; k < paged.length; k += 1) {
      const [a, b] = [paged[k - 1], paged[k]];
      if (a[sort] === null || b[sort] === null) continue;
      if (a[sort] === b[sort]) expect(Math.sign(b.id - a.id)).toBe(dir);
      else expect((a[sort]! < b[sort]! ? 1 : -1) * dir).toBe(1);
    }
  });

  test('the sample has nulls and ties to page through', async () => {
    const rows = await allRows();
    expect(rows.filter((r) => r.csat === null).length).toBeGreaterThan(4);
    expect(new Set(rows.map((r) => r.duration_s)).size).toBeLessThan(rows.length / 4);
  });

  test('a cursor keeps working with filters applied', async () => {
    const query = { team_id: org.teamA, sort: 'csat', order: 'desc' };
    const single = await walk('manager', query, 500);
    const paged = await walk('manager', query, 3);
    expect(single.length).toBeGreaterThan(6);
    expect(paged.map((i) => i.id)).toEqual(single.map((i) => i.id));
  });
});

describe('GET /calls (the page)', () => {
  function idsOn(html: string): number[] {
    return [...html.matchAll(/href="\/calls\/(\d+)"/g)].map((m) => Number(m[1]));
  }

  test('shows the count in scope and pages through every call with its Next link', async () => {
    const expected = (await allRows()).filter((r) => r.team_id === org.teamA).sort(newestFirst);
    let path: string | null = '/calls?limit=10&sort=started_at&order=desc';
    const seen: number[] = [];
    for (let i = 0; path && i < 50; i += 1) {
      const res = await sessions.supervisorA.get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<strong>${expected.length}</strong> calls match.`);
      seen.push(...idsOn(res.text));
      const next = /<a href="(\/calls\?[^"]*cursor=[^"]+)" role="button" class="secondary">Next page<\/a>/.exec(
        res.text,
      );
      path = next ? next[1].replace(/&amp;/g, '&') : null;
    }
    expect(seen).toEqual(expected.map((r) => r.id));
  });

  test('filters on the page narrow the count and the rows', async () => {
    const expected = (await allRows())
      .filter((r) => (r.team_id === org.teamA || r.team_id === org.teamB) && r.category === 'billing')
      .sort(newestFirst);
    const res = await sessions.manager.get('/calls?category=billing&limit=500');
    expect(res.text).toContain(`<strong>${expected.length}</strong> calls match.`);
    expect(idsOn(res.text)).toEqual(expected.map((r) => r.id));
  });

  test('an invalid filter on the page is 422 with a message and no rows', async () => {
    const res = await sessions.manager.get('/calls?min_hold=-3');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Some filters are not valid: Minimum hold cannot be negative.');
    expect(idsOn(res.text)).toEqual([]);
  });
});
