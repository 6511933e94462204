import type SQLite from 'better-sqlite3';
import type { GenerateOptions } from '../lib/dataset';
import type { BuiltOrg } from './org';

export function insertAudit(
  sqlite: SQLite.Database,
  options: GenerateOptions,
  org: BuiltOrg,
  importDays: Array<[number, number]>,
  orgCreatedAt: string,
): number {
  const stmt = sqlite.prepare(
    'insert into audit_log (at, actor_id, action, entity_type, entity_id, details, ip) values (?, ?, ?, ?, ?, ?, ?)',
  );
  let n = 0;
  const run = sqlite.transaction(() => {
    for (const user of org.users) {
      stmt.run(
        orgCreatedAt,
        org.adminId,
        'user.created',
        'user',
        user.id,
        JSON.stringify({ username: user.username, role: user.role }),
        null,
      );
      n += 1;
    }
    for (const [dayMs, created] of importDays) {
      const at = new Date(dayMs + 26 * 3_600_000).toISOString();
      stmt.run(
        at,
        org.adminId,
        'calls.imported',
        null,
        null,
        JSON.stringify({ created, unchanged: 0, errors: 0 }),
        '127.0.0.1',
      );
      n += 1;
    }
    if (options.audit === 'full') {
      const calls = sqlite.prepare(
        "select id, external_id, created_at, recording_status from calls where source = 'default'",
      );
      for (const call of calls.iterate() as Iterable<{
        id: number;
        external_id: string;
        created_at: string;
        recording_status: string | null;
      }>) {
        stmt.run(
          call.created_at,
          org.adminId,
          'call.created',
          'call',
          call.id,
          JSON.stringify({ external_id: call.external_id, recording: call.recording_status === 'stored' }),
          '127.0.0.1',
        );
        n += 1;
      }
    }
  });
  run();
  return n;
}
