import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A receiver on loopback answering each request with the next scripted status ('hang' never answers). */
export class Receiver {
  readonly requests: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  script: Array<number | 'hang'> = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      this.requests.push({ headers: req.headers, body });
      const next = this.script.shift() ?? 200;
      if (next !== 'hang') res.writeHead(next).end('ok');
    });
  });
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }
  url(host = '127.0.0.1'): string {
    return `http://${host}:${(this.server.address() as AddressInfo).port}/hooks`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
