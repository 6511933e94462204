// The waveform's legend and label on the call page say what the recording holds: two sides on stereo, one
// mixed channel on mono (never "customer" for a lane that is both voices).
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { callWav, pushRecordedCall, STANDARD_CALL, tokenFor } from './jobs-fixtures';

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let token: string;
beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.app, org.supervisorA.username);
});
afterEach(async () => ctx.close());

const ariaLabel = (html: string) => /data-waveform-canvas[^>]*aria-label="([^"]*)"/.exec(html)?.[1] ?? '';
const legend = (html: string) => /<span data-legend-lanes>(.*?)<\/small>/s.exec(html)?.[0] ?? '';

test('a mono recording: one mixed channel in the label and the legend, no customer lane', async () => {
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav({ ...STANDARD_CALL, channels: 1 }));
  const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/calls/${id}`);
  expect(page.status).toBe(200);
  expect(ariaLabel(page.text)).toContain('one mixed channel, agent and customer together');
  expect(ariaLabel(page.text)).not.toContain('customer below');
  expect(legend(page.text)).toContain('seg-mixed');
  expect(legend(page.text)).toContain('one mixed channel (agent and customer together)');
  expect(legend(page.text)).not.toContain('seg-customer');
  // No sides, so no overtalk: its swatch is hidden.
  expect(page.text).toMatch(/data-legend-overtalk hidden>/);
});

test('a stereo recording: agent above, customer below, each with its swatch', async () => {
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
  const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/calls/${id}`);
  expect(ariaLabel(page.text)).toContain('agent above, customer below');
  expect(legend(page.text)).toContain('seg-agent');
  expect(legend(page.text)).toContain('seg-customer');
  expect(legend(page.text)).not.toContain('mixed');
  expect(page.text).toMatch(/data-legend-overtalk>/);
});
