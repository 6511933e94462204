import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';

// A report table is looked up by a name from the URL: names of Object.prototype's members must not reach a
// built-in (they answered 500 before), and read like any other unknown table.

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
});
afterAll(async () => ctx.close());

test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'no-such-table'])(
  '/reports/table/%s.csv is a 422 "No such table", never a 500',
  async (name) => {
    const manager = await signIn(ctx.app, org.manager.username);
    const res = await manager.get(`/reports/table/${name}.csv`);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/No such table/);
  },
);

test('a real table still downloads', async () => {
  const manager = await signIn(ctx.app, org.manager.username);
  const res = await manager.get('/reports/table/quality-items.csv');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/text\/csv/);
});
