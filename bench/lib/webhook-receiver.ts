import http from 'node:http';
import { Webhook as Verifier } from 'standardwebhooks';
import { percentile } from './stats';

/**
 * A loopback webhook receiver for the fan-out bench: `POST /hook/<n>` checks the Standard Webhooks signature
 * with the reference library and subscription n's secret, counts the delivery, and keeps its lag (arrival
 * minus the event's `timestamp`, the moment it was queued). It answers 204, or 400 when the signature fails.
 */
export class WebhookReceiver {
  readonly secrets = new Map<number, Verifier>();
  delivered = 0;
  badSignatures = 0;
  duplicates = 0;
  readonly arrivals: Array<{ at: number; lagMs: number }> = [];
  private readonly seen = new Set<string>();
  private server: http.Server | null = null;
  port = 0;

  addSecret(n: number, secret: string): void {
    this.secrets.set(n, new Verifier(secret));
  }

  async start(): Promise<void> {
    this.server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  url(n: number): string {
    return `http://127.0.0.1:${this.port}/hook/${n}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = Number(/^\/hook\/(\d+)$/.exec(req.url ?? '')?.[1]);
      const verifier = this.secrets.get(n);
      let payload: { timestamp?: string };
      try {
        if (!verifier) throw new Error('unknown subscription');
        payload = verifier.verify(body, req.headers as Record<string, string>) as { timestamp?: string };
      } catch {
        this.badSignatures += 1;
        res.writeHead(400).end();
        return;
      }
      const key = `${n} ${String(req.headers['webhook-id'])}`;
      if (this.seen.has(key)) this.duplicates += 1;
      this.seen.add(key);
      this.delivered += 1;
      const at = Date.now();
      this.arrivals.push({ at, lagMs: at - Date.parse(payload.timestamp ?? '') });
      res.writeHead(204).end();
    });
  }

  /** Deliveries per second and lag median/p95 of the arrivals in [from, to). */
  window(from: number, to: number): { delivered: number; perSecond: number; lagMedianMs: number; lagP95Ms: number } {
    const inside = this.arrivals.filter((a) => a.at >= from && a.at < to);
    const lags = inside.map((a) => a.lagMs).sort((a, b) => a - b);
    return {
      delivered: inside.length,
      perSecond: Math.round((inside.length / ((to - from) / 1000)) * 10) / 10,
      lagMedianMs: lags.length ? percentile(lags, 50) : NaN,
      lagP95Ms: lags.length ? percentile(lags, 95) : NaN,
    };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
