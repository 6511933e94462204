// The start-up clean-up of the peaks folder: unfinished peaks a crashed run left, and peaks whose call or
// recording is gone, are removed; the peaks of kept recordings, and another process's run under way, stay.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cleanUpPeaks } from '../../src/analysis';
import { liveInstances } from '../../src/calls';
import { takeLease } from '../../src/db/exclusive';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg } from '../helpers/builders';
import { callWav, pushRecordedCall, STANDARD_CALL, tokenFor } from './jobs-fixtures';

jest.setTimeout(60_000);

let ctx: TestContext;
beforeEach(() => {
  ctx = makeTestApp();
});
afterEach(async () => ctx.close());

const hex = () => crypto.randomBytes(16).toString('hex');

async function analysedCalls(n: number): Promise<Array<{ id: number; file: string }>> {
  const org = await buildOrg(ctx.deps);
  const token = await tokenFor(ctx.app, org.supervisorA.username);
  const ids = [];
  for (let i = 0; i < n; i += 1)
    ids.push(await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL)));
  expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(n);
  const rows = await ctx.deps.db.selectFrom('calls').select(['id', 'recording_file']).where('id', 'in', ids).execute();
  return rows.map((r) => ({ id: r.id, file: r.recording_file ?? '' }));
}

/** A file in the peaks folder, last written `ageMs` before the test clock's now. */
function writePeaksFolderFile(name: string, ageMs = 0): string {
  const file = path.join(ctx.deps.storage.peaksDir, name);
  fs.writeFileSync(file, 'CSPK');
  const when = new Date(ctx.clock.now().getTime() - ageMs);
  fs.utimesSync(file, when, when);
  return name;
}

const peaksFolder = () => fs.readdirSync(ctx.deps.storage.peaksDir).sort();

test('leftover and orphan peaks go at start-up; kept recordings’ peaks and others’ fresh runs stay', async () => {
  const [kept, deletedCall, deletedRecording] = await analysedCalls(3);
  if (!kept || !deletedCall || !deletedRecording) throw new Error('three calls expected');
  const peaksName = (file: string) => path.basename(ctx.deps.storage.peaksPath(file));
  // The call is gone (its analysis row with it); the other call's recording was deleted but its peaks were not.
  await ctx.deps.db.deleteFrom('calls').where('id', '=', deletedCall.id).execute();
  await ctx.deps.db
    .updateTable('calls')
    .set({ recording_status: 'deleted', recording_file: null })
    .where('id', '=', deletedRecording.id)
    .execute();
  const stem = kept.file.split('.')[0] ?? '';
  const ownTemp = path.basename(ctx.deps.storage.peaksTempPath(kept.file));
  writePeaksFolderFile(ownTemp);
  writePeaksFolderFile(`${ownTemp}.partial`);
  const othersFresh = writePeaksFolderFile(`${stem}.web-2.${hex()}.tmp`, 10 * 60_000);
  writePeaksFolderFile(`${stem}.web-2.${hex()}.tmp`, 3 * 3_600_000);
  writePeaksFolderFile(`${stem}.${hex()}.tmp.partial`, 3 * 3_600_000);
  writePeaksFolderFile(`${hex()}.peaks`);
  const unrelated = writePeaksFolderFile('README.txt');
  expect(peaksFolder()).toHaveLength(10);

  const restarted = ctx.restart();
  const report = await cleanUpPeaks(restarted.deps).finally(() => restarted.close());

  expect(report).toEqual({ tempRemoved: 4, orphansRemoved: 3, lostRequeued: 0 });
  expect(peaksFolder()).toEqual([peaksName(kept.file), othersFresh, unrelated].sort());
  // The kept call's waveform is still served.
  expect(fs.existsSync(ctx.deps.storage.peaksPath(kept.file))).toBe(true);
});

test('a peaks file whose recording is missing (flagged, may come back) or whose re-run is pending stays', async () => {
  const [missing, rerun] = await analysedCalls(2);
  if (!missing || !rerun) throw new Error('two calls expected');
  await ctx.deps.db.updateTable('calls').set({ recording_status: 'missing' }).where('id', '=', missing.id).execute();
  await ctx.deps.db.updateTable('call_analyses').set({ status: 'pending' }).where('call_id', '=', rerun.id).execute();
  expect(await cleanUpPeaks(ctx.deps)).toEqual({ tempRemoved: 0, orphansRemoved: 0, lostRequeued: 0 });
  expect(peaksFolder()).toHaveLength(2);
});

test('a fresh unfinished peaks file goes when its process holds no live staging lease (a restart has a new name)', async () => {
  const [kept] = await analysedCalls(1);
  if (!kept) throw new Error('one call expected');
  const stem = kept.file.split('.')[0] ?? '';
  // Another process on another machine, alive: its lease runs for five more minutes, so its run stays.
  await takeLease(ctx.deps.db, 'staging:web1-4242-abcdef', 'other-machine|4242', ctx.clock.now().getTime(), 300_000);
  const live = writePeaksFolderFile(`${stem}.web1-4242-abcdef.${hex()}.tmp`, 60_000);
  // This process before a kill -9 (a new name since): no lease any more, so its file is a crash's leftover.
  writePeaksFolderFile(`${stem}.web1-777-0a1b2c.${hex()}.tmp`, 60_000);
  writePeaksFolderFile(`${stem}.web1-777-0a1b2c.${hex()}.tmp.partial`, 60_000);
  // A name not made by newInstanceId (no lease to judge by): kept until it is two hours old.
  const unleased = writePeaksFolderFile(`${stem}.web-2.${hex()}.tmp`, 60_000);

  const report = await cleanUpPeaks(ctx.deps, await liveInstances(ctx.deps));

  expect(report).toEqual({ tempRemoved: 2, orphansRemoved: 0, lostRequeued: 0 });
  expect(peaksFolder()).toEqual([path.basename(ctx.deps.storage.peaksPath(kept.file)), live, unleased].sort());
});
