import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { reconcileStorage } from '../../src/calls/maintenance';
import type { Call } from '../../src/db/schema';
import { startServer, type Started } from '../../src/startup';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { callFields, pushCall, recordingFile, tokenFor, wav } from './fixtures';

let ctx: TestContext;
let org: Org;
let adminToken: string;
let started: Started | undefined;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  adminToken = await tokenFor(ctx.app, org.admin.username);
});
afterEach(async () => {
  if (started) {
    await started.background;
    await started.autoEvaluations.stop();
    started.server.closeAllConnections();
    await new Promise((resolve) => started?.server.close(resolve));
    started = undefined;
  }
  await ctx.close();
});

async function storeCall(startedAt: string): Promise<Call> {
  const res = await pushCall(ctx.app, adminToken, callFields(org.csrA.username, { started_at: startedAt }), [
    recordingFile(wav()),
  ]);
  if (res.status !== 201) throw new Error(`seed call: ${res.status} ${res.text}`);
  return status(res.body.id);
}

async function status(id: number): Promise<Call> {
  return ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A gate the test opens: the reconciler is held at its start until then, as a long one at 1M calls would be. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

// Two uploads, a server start and the reconciler: generous on a shared, busy machine.
test('/healthz answers while the start-up reconciler is still running; the reconciler finishes afterwards', async () => {
  const lost = await storeCall('2026-11-20T09:00:00Z');
  const inFlight = await storeCall('2026-11-21T09:00:00Z');
  fs.rmSync(ctx.deps.storage.recordingPath(lost.recording_file!));
  const held = gate();
  const events: string[] = [];
  const config = { ...ctx.deps.config, port: 0, host: '127.0.0.1' };
  started = await startServer(config, { deps: ctx.deps, database: ctx.database }, ctx.deps.logger, async (d, s) => {
    events.push('reconcile started');
    await held.opened;
    const report = await reconcileStorage(d, s);
    events.push('reconcile done');
    return report;
  });
  const { port } = started.server.address() as AddressInfo;

  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  expect(events).toEqual(['reconcile started']);
  expect((await status(lost.id)).recording_status).toBe('stored');

  // An upload made after listening, between its row's commit and the move: its file is still in staging.
  const stagedName = inFlight.recording_file!.split('.')[0]!;
  fs.renameSync(ctx.deps.storage.recordingPath(inFlight.recording_file!), ctx.deps.storage.stagedPath(stagedName));

  held.open();
  await started.background;
  expect(events).toEqual(['reconcile started', 'reconcile done']);
  expect((await status(lost.id)).recording_status).toBe('missing');
  // Not a crash's leftover (staged after the snapshot): neither flagged, nor moved, nor thrown away.
  expect((await status(inFlight.id)).recording_status).toBe('stored');
  expect(fs.existsSync(ctx.deps.storage.stagedPath(stagedName))).toBe(true);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
}, 120_000);
