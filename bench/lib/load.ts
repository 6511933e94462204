import autocannon from 'autocannon';
import { request } from './http';
import { readMemory, RssSampler } from './rss';
import { round, summarize, type Summary } from './stats';

export interface LoadRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Called by autocannon before each send of this request: return the request with a fresh body or headers
   * (a new call to score each time, say). Returning null makes autocannon start over at the first request.
   */
  setupRequest?: (req: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }) => { method?: string; path: string; headers?: Record<string, string>; body?: string } | null;
}

export interface LoadOptions {
  baseUrl: string;
  /** Server pid, sampled for RSS during the load. */
  pid: number;
  requests: LoadRequest[];
  connections: number;
  durationS: number;
  title: string;
}

export interface LoadResult {
  title: string;
  connections: number;
  durationS: number;
  requests: number;
  requestsPerSec: number;
  /** Latency of every response during the load, ms (exact, from autocannon's response events). */
  latency: Summary;
  statusCounts: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  throughputMBps: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssAfterBytes: number;
  /**
   * After autocannon stops, until /healthz answers in under 100 ms: requests the clients gave up on are
   * still executed by the server (a synchronous SQLite query cannot be cancelled), so a slow mix leaves
   * a backlog. The next measurement waits for it.
   */
  drainMs: number;
  /** RSS 2 s after the backlog drained. */
  rssSettledBytes: number;
}

/** Waits until the server answers /healthz quickly again; returns how long that took. */
export async function waitForIdle(baseUrl: string, limitMs = 180_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      const res = await request(baseUrl, '/healthz', { keepBody: false, timeoutMs: limitMs });
      if (res.status === 200 && res.ms < 100) return Math.round(performance.now() - started);
    } catch {
      // keep waiting
    }
    if (performance.now() - started > limitMs) throw new Error(`server still busy ${limitMs} ms after the load`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Drives the server with autocannon: each connection cycles through `requests` for `durationS` seconds. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const sampler = new RssSampler(options.pid, 50);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.durationS,
        requests: options.requests.map((r) => ({
          method: (r.method ?? 'GET') as 'GET',
          path: r.path,
          headers: r.headers,
          ...(r.body !== undefined ? { body: r.body } : {}),
          ...(r.setupRequest ? { setupRequest: r.setupRequest as never } : {}),
        })),
        timeout: 30,
      },
      async (err, result) => {
        const rss = sampler.stop();
        if (err) return reject(err);
        let drainMs: number;
        try {
          drainMs = await waitForIdle(options.baseUrl);
        } catch (drainErr) {
          return reject(drainErr as Error);
        }
        await new Promise((r) => setTimeout(r, 2000));
        const statusCounts: Record<string, number> = {};
        for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = stat.count ?? 0;
        resolve({
          title: options.title,
          connections: options.connections,
          durationS: round(result.duration, 1),
          requests: result.requests.total,
          requestsPerSec: round(result.requests.total / result.duration, 1),
          latency: summarize(latencies),
          statusCounts,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          throughputMBps: round(result.throughput.average / 1048576, 2),
          rssBeforeBytes: rss.first,
          rssPeakBytes: rss.max,
          rssAfterBytes: rss.last,
          drainMs,
          rssSettledBytes: readMemory(options.pid)?.rss ?? 0,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}
