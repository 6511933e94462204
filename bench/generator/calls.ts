import type SQLite from 'better-sqlite3';
import type { GenerateOptions } from '../lib/dataset';
import { Rng, WeightedTable, clamp, tenths } from '../lib/rng';
import { TELEPHONY } from '../lib/wav';
import type { EvaluatedCalls } from '../seed/hooks';
import type { BuiltOrg } from './org';
import { transcriptVariants } from './transcripts';
import { BATCH, CATEGORIES, CSAT_LONG_WAIT, CSAT_NORMAL, DAY_MS, HOUR_WEIGHTS } from './vocabulary';

export interface CallStats {
  counts: Record<string, number>;
  evaluated: EvaluatedCalls;
  /** Per day before the recording window: [day start ms, calls imported]. */
  importDays: Array<[number, number]>;
}

export function insertCalls(
  sqlite: SQLite.Database,
  options: GenerateOptions,
  rng: Rng,
  org: BuiltOrg,
  startMs: number,
  shared: { file: string; bytes: number; sha256: string; durationS: number },
): CallStats {
  const csrs = org.users.filter((u) => u.role === 'csr');
  const activeCsrs = csrs.filter((u) => u.active);
  // Busy and part-time agents; leavers only take calls in the first 60% of the year.
  const csrWeights = new Map(csrs.map((u) => [u.id, rng.logNormal(1, 0.35)]));
  const allCsrTable = new WeightedTable(
    csrs,
    csrs.map((u) => csrWeights.get(u.id)!),
  );
  const activeCsrTable = new WeightedTable(
    activeCsrs,
    activeCsrs.map((u) => csrWeights.get(u.id)!),
  );
  const teamTable = new WeightedTable(
    org.teams,
    org.teams.map((t) => t.csrIds.reduce((sum, id) => sum + csrWeights.get(id)!, 0)),
  );
  const departmentSlug = new Map(org.departments.map((d) => [d.id, d.name.toLowerCase().replace(/[^a-z]+/g, '-')]));
  const teamQueue = new Map(org.teams.map((t) => [t.id, `${departmentSlug.get(t.departmentId)}-q${t.id}`]));
  const categoryTable = new WeightedTable(
    CATEGORIES.map((_, i) => i),
    CATEGORIES.map((c) => c[1]),
  );
  const hourTable = new WeightedTable(
    HOUR_WEIGHTS.map((_, h) => h),
    HOUR_WEIGHTS,
  );
  const csatNormal = new WeightedTable([1, 2, 3, 4, 5], CSAT_NORMAL);
  const csatLong = new WeightedTable([1, 2, 3, 4, 5], CSAT_LONG_WAIT);
  const transcripts = transcriptVariants(rng);
  const leaverCutoffMs = startMs + options.days * DAY_MS * 0.6;
  const recordingFromMs = startMs + Math.max(0, options.days - options.recordingDays) * DAY_MS;

  // Calls per day: weekdays full, weekends light, a December peak, day-to-day noise.
  const dayWeights: number[] = [];
  for (let d = 0; d < options.days; d += 1) {
    const date = new Date(startMs + d * DAY_MS);
    const dow = date.getUTCDay();
    const month = date.getUTCMonth();
    const base = dow === 0 ? 0.2 : dow === 6 ? 0.35 : dow === 1 ? 1.15 : 1;
    const season = month === 11 ? 1.2 : month === 0 ? 1.1 : month === 7 ? 0.9 : 1;
    dayWeights.push(base * season * (0.9 + rng.next() * 0.2));
  }
  const weightSum = dayWeights.reduce((a, b) => a + b, 0);

  const columns = [
    'id', 'source', 'external_id', 'agent_id', 'team_id', 'queue', 'started_at', 'direction', 'category',
    'queue_wait_s', 'hold_s', 'duration_s', 'csat', 'abandoned', 'evaluation_count', 'recording_status',
    'recording_file', 'recording_original_name', 'recording_mime', 'recording_bytes', 'recording_sha256',
    'recording_codec', 'recording_channels', 'recording_sample_rate', 'recording_duration_s', 'transcript_format',
    'transcript', 'created_by', 'created_at',
  ]; // prettier-ignore
  const stmt = sqlite.prepare(
    `insert into calls (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
  );
  const row: unknown[] = new Array(columns.length).fill(null);
  const evaluatedCapacity = Math.ceil(options.calls * options.evaluatedShare * 1.2) + 1024;
  const evaluated: EvaluatedCalls = {
    length: 0,
    callIds: new Int32Array(evaluatedCapacity),
    agentIds: new Int32Array(evaluatedCapacity),
    teamIds: new Int32Array(evaluatedCapacity),
    startedAtMs: new Float64Array(evaluatedCapacity),
    counts: new Uint8Array(evaluatedCapacity),
    durationS: new Float32Array(evaluatedCapacity),
    holdS: new Float32Array(evaluatedCapacity),
  };
  // Calls are scored over the whole year (older ones while their recording still existed), but only once
  // they have ended with time to spare before "now".
  const lastScorableMs = startMs + options.days * DAY_MS - 2 * 3_600_000;
  const counts = { calls: 0, abandoned: 0, outbound: 0, recordings_stored: 0, evaluated: 0, transcripts: 0, csat: 0 };
  const importDays: Array<[number, number]> = [];

  const begin = sqlite.prepare('begin');
  const commit = sqlite.prepare('commit');
  begin.run();
  let id = 0;
  let carry = 0;
  for (let d = 0; d < options.days; d += 1) {
    const exact = (options.calls * dayWeights[d]) / weightSum + carry;
    let n = d === options.days - 1 ? options.calls - id : Math.floor(exact);
    n = Math.max(0, Math.min(n, options.calls - id));
    carry = exact - Math.floor(exact);
    const dayMs = startMs + d * DAY_MS;
    const offsets = new Float64Array(n);
    for (let i = 0; i < n; i += 1) offsets[i] = hourTable.pick(rng) * 3_600_000 + rng.int(3_600_000);
    offsets.sort();
    if (dayMs < recordingFromMs && n > 0) importDays.push([dayMs, n]);

    for (let i = 0; i < n; i += 1) {
      id += 1;
      const t = dayMs + offsets[i];
      const inbound = !rng.chance(options.outboundShare);
      const abandoned = inbound && rng.chance(options.abandonedShare);
      const category = CATEGORIES[categoryTable.pick(rng)];
      let agentId: number | null = null;
      let teamId: number;
      if (abandoned) {
        teamId = teamTable.pick(rng).id;
      } else {
        const agent = (t < leaverCutoffMs ? allCsrTable : activeCsrTable).pick(rng);
        agentId = agent.id;
        teamId = agent.teamId!;
      }
      const wait = !inbound ? 0 : tenths(clamp(rng.logNormal(abandoned ? 75 : 28, abandoned ? 0.8 : 1.0), 0, 1800));
      const hold = abandoned || !rng.chance(0.28) ? 0 : tenths(clamp(rng.logNormal(45, 0.9), 1, 3600));
      const duration = abandoned ? 0 : tenths(clamp(rng.logNormal(category[2], 0.6), 15, 7200) + hold);
      let csat: number | null = null;
      if (inbound && !abandoned && rng.chance(options.csatShare)) {
        csat = (wait > 120 || hold > 180 ? csatLong : csatNormal).pick(rng);
        counts.csat += 1;
      }
      const pushed = t >= recordingFromMs;
      const recorded = pushed && !abandoned && rng.chance(options.recordedShare);
      let evaluationCount = 0;
      const k = evaluated.length;
      if (
        agentId !== null &&
        k < evaluatedCapacity &&
        t + duration * 1000 < lastScorableMs &&
        rng.chance(options.evaluatedShare)
      ) {
        evaluationCount = rng.chance(0.1) ? 2 : 1;
        evaluated.callIds[k] = id;
        evaluated.agentIds[k] = agentId;
        evaluated.teamIds[k] = teamId;
        evaluated.startedAtMs[k] = t;
        evaluated.counts[k] = evaluationCount;
        evaluated.durationS[k] = duration;
        evaluated.holdS[k] = hold;
        evaluated.length += 1;
        counts.evaluated += 1;
      }
      const hasTranscript = recorded && rng.chance(options.transcriptShare);
      const source = pushed ? 'default' : 'acd';
      const externalId = `${pushed ? 'PBX' : 'ACD'}-${String(id).padStart(9, '0')}`;
      const createdMs = pushed ? t + duration * 1000 + 45_000 : dayMs + DAY_MS + 2 * 3_600_000;

      row[0] = id;
      row[1] = source;
      row[2] = externalId;
      row[3] = agentId;
      row[4] = teamId;
      row[5] = teamQueue.get(teamId)!;
      row[6] = new Date(t).toISOString();
      row[7] = inbound ? 'inbound' : 'outbound';
      row[8] = category[0];
      row[9] = wait;
      row[10] = hold;
      row[11] = duration;
      row[12] = csat;
      row[13] = abandoned ? 1 : 0;
      row[14] = evaluationCount;
      row[15] = recorded ? 'stored' : null;
      row[16] = recorded ? shared.file : null;
      row[17] = recorded ? `${externalId}.wav` : null;
      row[18] = recorded ? 'audio/wav' : null;
      row[19] = recorded ? shared.bytes : null;
      row[20] = recorded ? shared.sha256 : null;
      row[21] = recorded ? 'PCM' : null;
      row[22] = recorded ? 1 : null;
      row[23] = recorded ? TELEPHONY.sampleRate : null;
      row[24] = recorded ? shared.durationS : null;
      row[25] = hasTranscript ? 'vtt' : null;
      row[26] = hasTranscript ? transcripts[id % transcripts.length] : null;
      row[27] = org.adminId;
      row[28] = new Date(Math.min(createdMs, startMs + options.days * DAY_MS)).toISOString();
      stmt.run(row);

      counts.calls += 1;
      if (abandoned) counts.abandoned += 1;
      if (!inbound) counts.outbound += 1;
      if (recorded) counts.recordings_stored += 1;
      if (hasTranscript) counts.transcripts += 1;
      if (id % BATCH === 0) {
        commit.run();
        begin.run();
      }
    }
  }
  commit.run();
  return { counts, evaluated, importDays };
}
