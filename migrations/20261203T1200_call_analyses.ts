import { Kysely, sql } from 'kysely';

// The automatic analysis of every call with a recording: a durable job queue (one row per call: pending →
// running → done | failed | no_recording, with attempts, a lease and a back-off) and the figures it found.
// Plain types only (text, integer, real), so the same table works on PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_analyses')
    .addColumn('call_id', 'integer', (c) => c.primaryKey().references('calls.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'running', 'done', 'failed', 'no_recording')`),
    )
    .addColumn('attempts', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`attempts >= 0`),
    )
    .addColumn('last_error', 'text')
    .addColumn('enqueued_at', 'text', (c) => c.notNull())
    .addColumn('run_after', 'text', (c) => c.notNull())
    // A running job's lease: past it, the run is taken to have crashed and the job is claimed again.
    .addColumn('lease_until', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('duration_s', 'real')
    .addColumn('channels', 'integer')
    .addColumn('sample_rate', 'integer')
    .addColumn('agent_speech_s', 'real')
    .addColumn('customer_speech_s', 'real')
    .addColumn('talk_ratio', 'real')
    .addColumn('mono_speech_s', 'real')
    .addColumn('overtalk_total_s', 'real')
    .addColumn('overtalk_count', 'integer')
    .addColumn('dead_air_total_s', 'real')
    .addColumn('dead_air_longest_s', 'real')
    // JSON: {"dead_air": [...], "overtalk": [...] | null, "speech": {"agent": [...], "customer": [...]}}
    .addColumn('segments', 'text')
    .addColumn('peaks_file', 'text')
    .addColumn('analysed_at', 'text')
    // JSON: the settings the figures were measured with ({"agent_channel", "dead_air_min_s"}).
    .addColumn('settings_used', 'text')
    .execute();
  // The worker's claim: the next due job by state and time.
  await db.schema
    .createIndex('call_analyses_queue_idx')
    .on('call_analyses')
    .columns(['status', 'run_after', 'call_id'])
    .execute();
  // The call list's filters on the figures.
  for (const column of ['talk_ratio', 'dead_air_longest_s', 'overtalk_total_s']) {
    await db.schema.createIndex(`call_analyses_${column}_idx`).on('call_analyses').columns([column]).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('call_analyses').execute();
}
