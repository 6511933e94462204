import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { api, tokenFor } from '../helpers/scoring';
import { freeswitchFile, type FreeswitchLeg } from './cdr-fixtures';

let ctx: TestContext;
let org: Org;
let adminToken: string;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  adminToken = await tokenFor(ctx.deps, org.admin);
  const admin = api(ctx.app, adminToken);
  await admin.patch(`/api/v1/users/${org.csrA.id}`, { extension: '1001' }).expect(200);
  await admin.patch(`/api/v1/users/${org.csrA2.id}`, { extension: '1002' }).expect(200);
  await ctx.deps.db.insertInto('settings').values({ key: 'time_zone', value: 'Asia/Kolkata' }).execute();
});
afterAll(async () => ctx.close());

const oddName = Buffer.from([0x52, 0xe9, 0x6d, 0x69, 0x20, 0x22, 0x52, 0x22]); // "Rémi "R"" in Latin-1

const LEGS: FreeswitchLeg[] = [
  // The B leg (the agent's phone) ends first and is written before its A leg.
  {
    number: '5550001',
    destination: '1001',
    context: 'default',
    start: '2026-11-02 09:00:01',
    answer: '2026-11-02 09:00:08',
    end: '2026-11-02 09:01:08',
    billsec: 60,
    cause: 'NORMAL_CLEARING',
    uuid: 'b-1',
  },
  {
    name: oddName,
    number: '5550001',
    destination: '1001',
    context: 'public',
    start: '2026-11-02 09:00:00',
    answer: '2026-11-02 09:00:08',
    end: '2026-11-02 09:01:08',
    billsec: 60,
    cause: 'NORMAL_CLEARING',
    uuid: 'a-1',
    bleg: 'b-1',
  },
  // Rang 1001, nobody answered: abandoned.
  {
    number: '5550002',
    destination: '1001',
    context: 'public',
    start: '2026-11-02 09:10:00',
    end: '2026-11-02 09:10:30',
    billsec: 0,
    cause: 'ORIGINATOR_CANCEL',
    uuid: 'a-2',
  },
  // 1002 calls out.
  {
    number: '1002',
    destination: '5559876',
    context: 'default',
    start: '2026-11-02 09:20:00',
    answer: '2026-11-02 09:20:04',
    end: '2026-11-02 09:20:34',
    billsec: 30,
    cause: 'NORMAL_CLEARING',
    uuid: 'a-3',
  },
];

const importFile = (body: Buffer) =>
  request(ctx.app)
    .post('/api/v1/calls/import?format=freeswitch')
    .set('Authorization', `Bearer ${adminToken}`)
    .set('Content-Type', 'text/csv; charset=iso-8859-1')
    .send(body);

test('FreeSWITCH legs become calls (B legs join their A leg), in the center’s zone; re-import changes nothing', async () => {
  const file = freeswitchFile(LEGS);
  const res = await importFile(file);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ created: 3, unchanged: 0, errors: [] });
  const rows = await ctx.deps.db.selectFrom('calls').selectAll().orderBy('started_at').execute();
  // 09:00 in Kolkata (+05:30) is 03:30 UTC.
  expect(rows.map((r) => [r.external_id, r.source, r.started_at, r.direction, r.agent_id, r.abandoned])).toEqual([
    ['a-1', 'freeswitch', '2026-11-02T03:30:00.000Z', 'inbound', org.csrA.id, 0],
    ['a-2', 'freeswitch', '2026-11-02T03:40:00.000Z', 'inbound', null, 1],
    ['a-3', 'freeswitch', '2026-11-02T03:50:00.000Z', 'outbound', org.csrA2.id, 0],
  ]);
  expect(rows[0]).toMatchObject({ queue_wait_s: 8, duration_s: 60 });
  expect(rows[2]).toMatchObject({ duration_s: 30 });
  const again = await importFile(file);
  expect(again.body).toEqual({ created: 0, unchanged: 3, errors: [] });
  expect(await ctx.deps.db.selectFrom('calls').selectAll().orderBy('started_at').execute()).toEqual(rows);
});

test('an Asterisk file sent as FreeSWITCH is refused whole', async () => {
  const res = await importFile(
    Buffer.from(
      '"","1","2","from-trunk","c","SIP/x-1","","Hangup","","2026-11-02 09:00:00",,"2026-11-02 09:00:01",1,0,"NO ANSWER","DOCUMENTATION"\n',
    ),
  );
  expect(res.status).toBe(422);
  expect(res.body.error.message).toMatch(/not a FreeSWITCH CDR file.*15 columns/);
});
