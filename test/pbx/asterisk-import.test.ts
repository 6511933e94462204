import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { api, tokenFor, type Api } from '../helpers/scoring';
import { asteriskFile, type AsteriskLeg, type Layout } from './cdr-fixtures';

let ctx: TestContext;
let org: Org;
let admin: Api;
let adminToken: string;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  adminToken = await tokenFor(ctx.deps, org.admin);
  admin = api(ctx.app, adminToken);
  await admin.patch(`/api/v1/users/${org.csrA.id}`, { extension: '1001' }).expect(200);
  await admin.patch(`/api/v1/users/${org.csrA2.id}`, { extension: '1002' }).expect(200);
  // CDR times carry no zone: they are read in the center's (New York: 09:00 on 2 Nov 2026 is 14:00 UTC).
  await ctx.deps.db.insertInto('settings').values({ key: 'time_zone', value: 'America/New_York' }).execute();
});
afterEach(async () => ctx.close());

/** Three calls and a bad one, their legs interleaved as Asterisk writes them (each leg when it ends). */
function legs(layout: Layout): AsteriskLeg[] {
  // With newcdrcolumns each leg has its own uniqueid and the call's linkedid; before it, the legs of the
  // caller's channel shared the uniqueid.
  const uid = (shared: string, own: string) => (layout === 21 ? own : shared);
  const oddName = Buffer.concat([Buffer.from('M'), Buffer.from([0xfc]), Buffer.from('ller "Hans" <5550001>')]);
  return [
    // Call A: the ring group rings 1002 (no answer) and 1001 (answers after 12 s, talks 95 s).
    {
      dst: '600',
      dcontext: 'from-trunk',
      clid: oddName,
      channel: 'SIP/trunk-00000001',
      dstchannel: 'PJSIP/1002-00000002',
      start: '2026-11-02 09:00:00',
      end: '2026-11-02 09:00:15',
      billsec: 0,
      disposition: 'NO ANSWER',
      uniqueid: uid('1793000000.1', '1793000000.2'),
      linkedid: '1793000000.1',
    },
    // Call C (outbound) ends while A is still talking.
    {
      dst: '5559876',
      dcontext: 'from-internal',
      channel: 'PJSIP/1002-00000006',
      dstchannel: 'SIP/provider-00000007',
      start: '2026-11-02 09:00:30',
      answer: '2026-11-02 09:00:35',
      end: '2026-11-02 09:01:15',
      billsec: 40,
      disposition: 'ANSWERED',
      uniqueid: '1793000030.6',
      linkedid: '1793000030.6',
    },
    {
      dst: '600',
      dcontext: 'from-trunk',
      clid: oddName,
      channel: 'SIP/trunk-00000001',
      dstchannel: 'PJSIP/1001-00000003',
      start: '2026-11-02 09:00:00',
      answer: '2026-11-02 09:00:12',
      end: '2026-11-02 09:01:47',
      billsec: 95,
      disposition: 'ANSWERED',
      uniqueid: uid('1793000000.1', '1793000000.3'),
      linkedid: '1793000000.1',
    },
    // Call B: rings 1001 without answer, then the IVR (no person) answers and the caller hangs up: abandoned.
    {
      dst: '600',
      dcontext: 'from-trunk',
      channel: 'SIP/trunk-00000004',
      dstchannel: 'PJSIP/1001-00000005',
      start: '2026-11-02 09:05:00',
      end: '2026-11-02 09:05:20',
      billsec: 0,
      disposition: 'NO ANSWER',
      uniqueid: uid('1793000300.4', '1793000300.5'),
      linkedid: '1793000300.4',
    },
    {
      dst: 's',
      dcontext: 'from-trunk',
      clid: '"O""Brien, Pat" <5550002>',
      channel: 'SIP/trunk-00000004',
      dstchannel: '',
      lastapp: 'Playback',
      lastdata: 'goodbye',
      start: '2026-11-02 09:05:00',
      answer: '2026-11-02 09:05:20',
      end: '2026-11-02 09:05:40',
      billsec: 20,
      disposition: 'ANSWERED',
      uniqueid: uid('1793000300.4', '1793000300.9'),
      linkedid: '1793000300.4',
    },
    // Call D: answered at 1099, which nobody has: refused with its line, never counted as abandoned.
    {
      dst: '600',
      dcontext: 'from-trunk',
      channel: 'SIP/trunk-00000010',
      dstchannel: 'PJSIP/1099-00000011',
      start: '2026-11-02 09:20:00',
      answer: '2026-11-02 09:20:05',
      end: '2026-11-02 09:21:00',
      billsec: 55,
      disposition: 'ANSWERED',
      uniqueid: '1793001200.10',
      linkedid: '1793001200.10',
    },
  ];
}

const importFile = (body: Buffer, format = 'asterisk') =>
  request(ctx.app)
    .post(`/api/v1/calls/import?format=${format}`)
    .set('Authorization', `Bearer ${adminToken}`)
    .set('Content-Type', 'text/csv')
    .send(body);

const calls = () => ctx.deps.db.selectFrom('calls').selectAll().orderBy('started_at').execute();

const EXPECTED_IDS: Record<Layout, [string, string, string]> = {
  21: ['1793000000.1', '1793000030.6', '1793000300.4'],
  18: ['1793000000.1', '1793000030.6', '1793000300.4'],
  16: [
    'SIP/trunk-00000001@2026-11-02 09:00:00',
    'PJSIP/1002-00000006@2026-11-02 09:00:30',
    'SIP/trunk-00000004@2026-11-02 09:05:00',
  ],
};

describe.each([21, 18, 16] as Layout[])('Asterisk Master.csv with %i columns', (layout) => {
  test('legs become calls: the answering person, queue wait, billsec, abandoned, direction; re-import changes nothing', async () => {
    const file = asteriskFile(legs(layout), layout);
    const res = await importFile(file);
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(3);
    expect(res.body.unchanged).toBe(0);
    expect(res.body.errors).toEqual([
      { line: 6, message: expect.stringMatching(/extension 1099, which no person has/) },
    ]);

    const [a, c, b] = await calls();
    const [idA, idC, idB] = EXPECTED_IDS[layout];
    expect(a).toMatchObject({
      source: 'asterisk',
      external_id: idA,
      agent_id: org.csrA.id,
      team_id: org.teamA,
      direction: 'inbound',
      started_at: '2026-11-02T14:00:00.000Z',
      queue_wait_s: 12,
      duration_s: 95,
      abandoned: 0,
    });
    expect(c).toMatchObject({
      external_id: idC,
      agent_id: org.csrA2.id,
      direction: 'outbound',
      started_at: '2026-11-02T14:00:30.000Z',
      duration_s: 40,
      abandoned: 0,
    });
    expect(b).toMatchObject({ external_id: idB, agent_id: null, direction: 'inbound', abandoned: 1, duration_s: 0 });

    const before = await calls();
    const again = await importFile(file);
    expect(again.body).toMatchObject({ created: 0, unchanged: 3 });
    expect(await calls()).toEqual(before);
  });
});

describe('Asterisk import, refusals', () => {
  test('a file that is not Asterisk CDR is refused whole with 422 and nothing is written', async () => {
    const ours = Buffer.from(
      'external_id,agent,started_at,direction,duration_s\nx1,csr,2026-11-02T09:00:00Z,inbound,60\n',
    );
    const res = await importFile(ours);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/not an Asterisk CDR file.*16, 18 or 21 columns/);
    expect(await calls()).toHaveLength(0);
  });

  test('an unknown format is a 422; a CSR may not import (403)', async () => {
    const file = asteriskFile(legs(21), 21);
    expect((await importFile(file, 'avaya')).status).toBe(422);
    const csrToken = await tokenFor(ctx.deps, org.csrA);
    const res = await request(ctx.app)
      .post('/api/v1/calls/import?format=asterisk')
      .set('Authorization', `Bearer ${csrToken}`)
      .set('Content-Type', 'text/csv')
      .send(file);
    expect(res.status).toBe(403);
    expect(await calls()).toHaveLength(0);
  });

  test('a line with a broken time is reported with its line number; the rest land', async () => {
    const good = asteriskFile(legs(21).slice(0, 3), 21);
    const bad = Buffer.from(
      '"","5551234","600","from-trunk","x","SIP/trunk-00000020","PJSIP/1001-00000021","Dial","","yesterday",,"2026-11-02 10:00:00",0,0,"NO ANSWER","DOCUMENTATION","1.20","","","1.20",1\n',
    );
    const res = await importFile(Buffer.concat([good, bad]));
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.errors).toEqual([{ line: 4, message: expect.stringMatching(/start is not a date and time/) }]);
  });

  test('inbound contexts come from the setting: with only from-pstn, the ring-group call reads as outbound', async () => {
    await ctx.deps.db.insertInto('settings').values({ key: 'pbx_inbound_contexts', value: 'from-pstn' }).execute();
    const res = await importFile(asteriskFile(legs(21).slice(1, 2), 21));
    expect(res.body.created).toBe(1);
    expect((await calls())[0]).toMatchObject({ direction: 'outbound', agent_id: org.csrA2.id });
  });
});
