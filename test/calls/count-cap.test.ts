import { COUNT_CAP } from '../../src/calls/calls.queries';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = await makeTestApp();
  org = await buildOrg(ctx.deps);
});
afterAll(() => ctx.close());

/** Inserts n calls of team A's CSR in one statement (the count is what is under test, not ingest). */
function insertCalls(n: number, startAt: number, category = 'billing') {
  sqliteOf(ctx.database)
    .prepare(
      `with recursive seq(i) as (select ? union all select i + 1 from seq where i < ?)
       insert into calls (external_id, agent_id, team_id, started_at, direction, category, created_at)
       select 'cap-' || i, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-10-01', '+' || i || ' seconds'), 'inbound', ?,
              '2026-10-01T00:00:00.000Z'
       from seq`,
    )
    .run(startAt, startAt + n - 1, org.csrA.id, org.teamA, category);
}

describe('the call list count is capped so it costs the same at any table size', () => {
  test('an exact count up to the cap, then "more than 10,000"', async () => {
    insertCalls(COUNT_CAP, 1);
    const agent = await signIn(ctx.app, org.admin.username);
    const exact = await agent.get('/calls');
    expect(exact.status).toBe(200);
    expect(exact.text).toContain(`<strong>${COUNT_CAP}</strong> calls match.`);

    insertCalls(1, COUNT_CAP + 1);
    const capped = await agent.get('/calls');
    expect(capped.status).toBe(200);
    expect(capped.text).toContain('More than <strong>10,000</strong> calls match');
    expect(capped.text).not.toContain('calls match.</p>');

    // A filter below the cap is exact again.
    insertCalls(3, COUNT_CAP + 2, 'warranty');
    const filtered = await agent.get('/calls?category=warranty');
    expect(filtered.text).toContain('<strong>3</strong> calls match.');
  });
});
