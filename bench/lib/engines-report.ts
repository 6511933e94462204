/**
 * The engines bench's table: each case's app median on SQLite and PostgreSQL beside its own SQL (bare replay on
 * SQLite, EXPLAIN ANALYZE on PostgreSQL) and the ratio, with the targets, then the submit runs.
 */
import { shortCount } from './args';
import { fmtMs } from './stats';

interface Row {
  id: string;
  label: string;
  kind: 'page' | 'report' | 'year-report' | 'info';
  app: Record<'sqlite' | 'postgres', { median: number }>;
  raw: Record<'sqlite' | 'postgres', { median: number }>;
  statements: Record<'sqlite' | 'postgres', number>;
  ratio: Record<'sqlite' | 'postgres', number>;
}

export interface EnginesOutput {
  when: string;
  commit: string;
  dirty: boolean;
  node: string;
  cores: number;
  size: number;
  loadAverage: number[];
  otherCpuShare: number;
  copyToPostgresMs: number;
  /** The servers' start-up roll-up catch-up, waited for before the first case (absent in older results). */
  rollupCatchUpMs?: number;
  cases: Row[];
  submits: Array<{ label: string; submitsPerSec: number; created: number; latencyMedianMs: number[] }>;
}

const TARGET_MS = { page: 50, report: 100, 'year-report': 200 } as const;

function mark(kind: Row['kind'], ms: number): string {
  if (kind === 'info') return '';
  return ms < TARGET_MS[kind] ? ' ✅' : ' ❌';
}

export function enginesMarkdown(out: EnginesOutput): string {
  const md = [
    `### ${shortCount(out.size)} calls (commit ${out.commit}${out.dirty ? ' with uncommitted changes' : ''}, ${out.when.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Node ${out.node}, ${out.cores} cores, load average ${out.loadAverage.map((l) => l.toFixed(2)).join(' → ')} ` +
      `(start, after the pages, end), other work ${Math.round(out.otherCpuShare * 100)}% of the CPU. ` +
      `db:copy into PostgreSQL: ${(out.copyToPostgresMs / 1000).toFixed(1)} s.` +
      (out.rollupCatchUpMs === undefined
        ? ''
        : ` The servers' start-up roll-up catch-up (a year of stale days, both at once) took ` +
          `${(out.rollupCatchUpMs / 1000).toFixed(1)} s and was waited for before the first case.`),
    '',
    '| case | what | SQLite app ms | SQLite SQL ms | ratio | PostgreSQL app ms | PostgreSQL EXPLAIN ANALYZE ms | ratio | PG ÷ SQLite | statements |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of out.cases) {
    const pgOverSqlite = (c.app.postgres.median / Math.max(c.app.sqlite.median, 0.01)).toFixed(2);
    md.push(
      `| ${c.id} | ${c.label} | ${fmtMs(c.app.sqlite.median)}${mark(c.kind, c.app.sqlite.median)} | ${fmtMs(c.raw.sqlite.median)} | ${c.ratio.sqlite}× ` +
        `| ${fmtMs(c.app.postgres.median)}${mark(c.kind, c.app.postgres.median)} | ${fmtMs(c.raw.postgres.median)} | ${c.ratio.postgres}× | ${pgOverSqlite}× | ${c.statements.postgres} |`,
    );
  }
  md.push('', '| submits | per second | created | median latency ms (per process) |', '|---|---|---|---|');
  for (const s of out.submits) {
    md.push(
      `| ${s.label} | ${s.submitsPerSec} | ${s.created} | ${s.latencyMedianMs.map((m) => fmtMs(m)).join(', ')} |`,
    );
  }
  md.push('');
  return md.join('\n');
}
