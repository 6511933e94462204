import { recordAudit } from '../../src/audit';
import { auditDetailFields } from '../../src/audit/audit-details';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { between, textOf } from '../helpers/reports';

// Audit-log details are stored as JSON and shown as named fields (a change as "from → to"), never raw JSON.

describe('auditDetailFields', () => {
  test.each([
    ['a change', '{"team_id":{"from":3,"to":7}}', [{ name: 'team id', value: '3 → 7' }]],
    [
      'flat values, lists and booleans',
      '{"role":"csr","events":["a","b"],"active":false,"note":null}',
      [
        { name: 'role', value: 'csr' },
        { name: 'events', value: 'a, b' },
        { name: 'active', value: 'no' },
        { name: 'note', value: '—' },
      ],
    ],
    ['a nested record', '{"rubric":{"id":4,"version":2}}', [{ name: 'rubric', value: 'id: 4; version: 2' }]],
    ['text that is not JSON', 'plain words', [{ name: 'note', value: 'plain words' }]],
    ['nothing', null, []],
  ])('%s', (_label, details, fields) => {
    expect(auditDetailFields(details)).toEqual(fields);
  });
});

describe('the audit log page', () => {
  let ctx: TestContext;
  let org: Org;
  beforeAll(async () => {
    ctx = makeTestApp();
    org = await buildOrg(ctx.deps);
    await recordAudit(ctx.deps.db, ctx.clock.now().toISOString(), {
      actorId: org.admin.id,
      action: 'user.updated',
      entityType: 'user',
      entityId: org.csrA.id,
      details: { team_id: { from: org.teamA, to: org.teamB }, display_name: 'Ann "Quote" <b>' },
    });
  });
  afterAll(async () => ctx.close());

  test('shows details as named fields, escaped, and no raw JSON', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    for (const path of ['/admin/audit', '/']) {
      const res = await admin.get(path);
      expect(res.status).toBe(200);
      const row = between(res.text, '<code>user.updated</code>', '</tr>');
      expect(textOf(row)).toContain(`team id ${org.teamA} → ${org.teamB}`);
      expect(row).toContain('<dt>display name</dt><dd>Ann &#34;Quote&#34; &lt;b&gt;</dd>');
      expect(row).not.toContain('{&#34;');
      expect(row).not.toContain('team_id');
    }
  });
});
