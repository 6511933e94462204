/**
 * Sequential measurement of GET cases (pages, reports, API reads) and the tables comparing them across
 * dataset sizes, shared by the dashboards, reports and scoring scenarios.
 */
import { shortCount } from './args';
import type { Manifest } from './dataset';
import { createToken, request, signIn } from './http';
import { fmtMs, round, summarize, type Summary } from './stats';

export const BASE_SIZE = 100_000;
export const TARGET_SIZE = 1_000_000;
/** Latency at 1M over latency at 100k (median) must stay at or under this. */
export const GROWTH_TARGET = 2;

export type Account = 'admin' | 'manager' | 'supervisor' | 'csr';

export interface HttpCase {
  id: string;
  /** What the case shows, for the tables. */
  label: string;
  /** Which target applies: pages (< 50 ms), reports (< 100 ms), or none (shown for comparison). */
  /** page < 50 ms, report (90 days) < 100 ms, year-report (one year, all teams) < 200 ms at 1M calls. */
  kind: 'page' | 'report' | 'year-report' | 'info';
  as: Account;
  auth: 'token' | 'session';
  path: string;
}

export interface MeasuredCase extends HttpCase {
  status: number;
  /** Size of the first response body. */
  bytes: number;
  /** The first (cold) request, ms. */
  firstMs: number;
  latency: Summary;
}

export interface Credentials {
  token: Record<Account, Record<string, string>>;
  session: Record<Account, Record<string, string>>;
}

/** A bearer token and a signed-in session for each bench account (admin, manager, supervisor, CSR). */
export async function credentials(baseUrl: string, manifest: Manifest, accounts: Account[]): Promise<Credentials> {
  const token = {} as Credentials['token'];
  const session = {} as Credentials['session'];
  for (const account of accounts) {
    const username = manifest.accounts[account].username;
    token[account] = { authorization: `Bearer ${await createToken(baseUrl, username, manifest.password)}` };
    session[account] = { cookie: await signIn(baseUrl, username, manifest.password) };
  }
  return { token, session };
}

export function headersFor(c: Pick<HttpCase, 'as' | 'auth'>, creds: Credentials): Record<string, string> {
  return c.auth === 'token' ? creds.token[c.as] : creds.session[c.as];
}

export interface SequentialOptions {
  samples: number;
  sampleMs: number;
}

/**
 * One keep-alive connection: a first request (must be 200), up to two warm-ups unless it is slow, then up to
 * `samples` requests or `sampleMs`, whichever ends first (at least 5).
 */
export async function measureCase(
  baseUrl: string,
  c: HttpCase,
  headers: Record<string, string>,
  options: SequentialOptions,
  check?: (body: Buffer) => string | null,
): Promise<MeasuredCase> {
  const first = await request(baseUrl, c.path, { headers });
  if (first.status !== 200) {
    throw new Error(`${c.id}: ${c.path} answered ${first.status}: ${first.body.toString('utf8').slice(0, 300)}`);
  }
  const problem = check?.(first.body);
  if (problem) throw new Error(`${c.id}: ${problem}`);
  for (let i = 0; i < 2 && first.ms < 500; i += 1) await request(baseUrl, c.path, { headers, keepBody: false });
  const times: number[] = [];
  const started = performance.now();
  while (times.length < options.samples && (times.length < 5 || performance.now() - started < options.sampleMs)) {
    const res = await request(baseUrl, c.path, { headers, keepBody: false });
    if (res.status !== 200) throw new Error(`${c.id}: ${res.status} during measurement`);
    times.push(res.ms);
  }
  return { ...c, status: first.status, bytes: first.body.length, firstMs: round(first.ms), latency: summarize(times) };
}

export function logCase(log: (m: string) => void, c: MeasuredCase): void {
  log(
    `  ${c.id.padEnd(30)} median ${fmtMs(c.latency.median).padStart(6)} ms  p95 ${fmtMs(c.latency.p95).padStart(6)} ms  (n=${c.latency.n}, ${Math.round(c.bytes / 1024)} KB)`,
  );
}

export function targetMsOf(kind: HttpCase['kind']): number | null {
  return kind === 'page' ? 50 : kind === 'report' ? 100 : kind === 'year-report' ? 200 : null;
}

/** Per case: median at the largest size over the median at the smallest (100k → 1M when both ran). */
export function ratios(bySize: Map<number, MeasuredCase[]>): Map<string, number | null> {
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const small = bySize.get(bySize.has(BASE_SIZE) ? BASE_SIZE : sizes[0])!;
  const large = bySize.get(bySize.has(TARGET_SIZE) ? TARGET_SIZE : sizes.at(-1)!)!;
  const out = new Map<string, number | null>();
  for (const c of large) {
    const s = small.find((x) => x.id === c.id);
    out.set(c.id, s && sizes.length > 1 ? round(c.latency.median / s.latency.median, 2) : null);
  }
  return out;
}

/** Markdown table: one row per case, median and p95 per size, the 1M/100k ratio, ✅/❌ against the targets. */
export function caseTable(
  bySize: Map<number, MeasuredCase[]>,
  describe: (c: MeasuredCase) => string[],
  head: string[],
): string[] {
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const largest = bySize.get(sizes.at(-1)!)!;
  const r = ratios(bySize);
  const both = bySize.has(BASE_SIZE) && bySize.has(TARGET_SIZE);
  const cols = [...head, 'target'];
  for (const s of sizes) cols.push(`${shortCount(s)} median`, `${shortCount(s)} p95`);
  if (sizes.length > 1) cols.push(`${shortCount(sizes.at(-1)!)}/${shortCount(sizes[0])}`);
  // The response's size beside the growth: a page that lists more rows at 1M is a bigger page, not a slower table.
  cols.push(`response KB (${sizes.map(shortCount).join(' → ')})`);
  const lines = [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`];
  for (const c of largest) {
    const target = targetMsOf(c.kind);
    const cells = [...describe(c), target === null ? '–' : `< ${target} ms`];
    for (const s of sizes) {
      const x = bySize.get(s)!.find((y) => y.id === c.id);
      const mark = s === TARGET_SIZE && x && target !== null ? (x.latency.median < target ? ' ✅' : ' ❌') : '';
      cells.push(`${fmtMs(x?.latency.median)}${mark}`, fmtMs(x?.latency.p95));
    }
    if (sizes.length > 1) {
      const ratio = r.get(c.id);
      const mark =
        both && ratio !== null && ratio !== undefined && c.kind !== 'info'
          ? ratio <= GROWTH_TARGET
            ? ' ✅'
            : ' ❌'
          : '';
      cells.push(ratio === null || ratio === undefined ? '–' : `${ratio}×${mark}`);
    }
    cells.push(
      sizes
        .map((s) => bySize.get(s)!.find((y) => y.id === c.id)?.bytes)
        .map((b) => (typeof b === 'number' ? (b / 1024).toFixed(1) : '–'))
        .join(' → '),
    );
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** The two target checks (median under the kind's target at 1M; ≤ 2× growth from 100k) for some cases. */
export function caseChecks(
  bySize: Map<number, MeasuredCase[]>,
  what: string,
  kind: 'page' | 'report' | 'year-report',
): Array<{ target: string; measured: string; pass: boolean | null }> {
  const target = targetMsOf(kind)!;
  const large = bySize.get(TARGET_SIZE)?.filter((c) => c.kind === kind);
  const checks: Array<{ target: string; measured: string; pass: boolean | null }> = [];
  if (!large || large.length === 0) {
    checks.push({
      target: `${what}: median < ${target} ms at 1,000,000 calls`,
      measured: 'not run at 1,000,000 calls',
      pass: null,
    });
  } else {
    const misses = large.filter((c) => c.latency.median >= target);
    const worst = [...large].sort((a, b) => b.latency.median - a.latency.median)[0];
    checks.push({
      target: `${what}: median < ${target} ms at 1,000,000 calls`,
      measured: `${large.length - misses.length} of ${large.length} pass; slowest ${worst.id} ${fmtMs(worst.latency.median)} ms (p95 ${fmtMs(worst.latency.p95)} ms)`,
      pass: misses.length === 0,
    });
  }
  if (large && bySize.has(BASE_SIZE)) {
    const r = ratios(bySize);
    const list = large.map((c) => ({ id: c.id, ratio: r.get(c.id) ?? null }));
    const bad = list.filter((x) => x.ratio !== null && x.ratio > GROWTH_TARGET);
    const worst = [...list].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0];
    checks.push({
      target: `${what}: latency at 1M ≤ ${GROWTH_TARGET}× latency at 100k (median, per case)`,
      measured: `${list.length - bad.length} of ${list.length} pass; worst ${worst.id} ${worst.ratio}×`,
      pass: bad.length === 0,
    });
  } else {
    checks.push({
      target: `${what}: latency at 1M ≤ ${GROWTH_TARGET}× latency at 100k`,
      measured: 'needs both --sizes 100000 and 1000000',
      pass: null,
    });
  }
  return checks;
}

export function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
