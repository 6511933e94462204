// Issue 17: staging folders of other app processes (on other machines sharing DATA_DIR) are judged by their lease
// in job_runs: a live lease keeps a folder safe however old its files; a lease that ran out lets this process take
// the folder over (a committed row's file moved in, the rest removed, the lease forgotten).
import fs from 'node:fs';
import path from 'node:path';
import { ingestCall } from '../../src/calls/ingest.service';
import { reconcileStorage, sweepDeadStaging } from '../../src/calls/maintenance';
import { RecordingStorage } from '../../src/recordings/storage';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { callFields, sample } from './fixtures';

let ctx: TestContext;
let org: Org;
const HOUR = 3_600_000;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
});
afterEach(async () => {
  await ctx.close();
});

/** Another machine's process: its folder (with `files`) and its lease, running out at `untilMs`. */
async function otherProcess(name: string, untilMs: number, files: Record<string, Buffer | string>) {
  const dir = path.join(ctx.deps.storage.stagingRoot, name);
  fs.mkdirSync(dir, { recursive: true });
  const old = new Date(ctx.clock.now().getTime() - 3 * HOUR);
  for (const [file, body] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, file), body);
    fs.utimesSync(path.join(dir, file), old, old);
  }
  await ctx.deps.db
    .insertInto('job_runs')
    .values({
      name: `staging:${name}`,
      holder: 'another-machine|4242',
      lease_until: new Date(untilMs).toISOString(),
      finished_at: null,
    })
    .execute();
  return dir;
}

const leaseNames = async () =>
  (await ctx.deps.db.selectFrom('job_runs').select('name').where('name', 'like', 'staging:%').execute())
    .map((r) => r.name)
    .sort();

test("a live process's folder stays however old; a dead one's is taken over: committed file moved in, rest removed", async () => {
  const now = ctx.clock.now().getTime();
  const live = await otherProcess('far-1-aaaaaa', now + 60_000, { [RecordingStorage.newName()]: 'upload under way' });

  // A call whose row committed on the dead process, which died before moving its file out of staging.
  const audio = sample('call-skipped-verification.wav');
  const staged = RecordingStorage.newName();
  fs.writeFileSync(ctx.deps.storage.stagedPath(staged), audio);
  const { call } = await ingestCall(
    ctx.deps,
    { id: org.admin.id, role: 'admin' },
    callFields(org.csrA.username, { started_at: '2026-11-20T09:00:00Z' }),
    { recording: { stagedName: staged, originalName: 'call.wav', size: audio.length } },
  );
  const file = call.recording_file!;
  const stem = file.split('.')[0];
  const moved = fs.readFileSync(ctx.deps.storage.recordingPath(file));
  fs.rmSync(ctx.deps.storage.recordingPath(file));
  const dead = await otherProcess('far-2-bbbbbb', now - 60_000, {
    [stem]: moved,
    [RecordingStorage.newName()]: 'upload cut short',
  });

  const report = await reconcileStorage(ctx.deps);
  expect(report).toMatchObject({ promoted: 1, stagingRemoved: 1, flaggedMissing: 0 });
  expect(fs.readFileSync(ctx.deps.storage.recordingPath(file))).toEqual(moved);
  expect(fs.existsSync(dead)).toBe(false);
  expect(fs.readdirSync(live)).toHaveLength(1);
  expect(await leaseNames()).toEqual(['staging:far-1-aaaaaa']);
  const row = await ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
  expect(row.recording_status).toBe('stored');

  // Its lease runs out later (the process died meanwhile): the periodic sweep takes its folder over.
  expect(await sweepDeadStaging(ctx.deps)).toBeNull();
  ctx.clock.advance(2 * 60_000);
  expect(await sweepDeadStaging(ctx.deps)).toMatchObject({ stagingRemoved: 1, promoted: 0 });
  expect(fs.existsSync(live)).toBe(false);
  expect(await leaseNames()).toEqual([]);
});
