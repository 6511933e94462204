// A raw-socket upload for the faults a normal client cannot make: a body that stops half-way or trickles in.
import crypto from 'node:crypto';
import net from 'node:net';
import { wavRecording } from './harness';

/**
 * Opens a raw connection and sends the head of POST /api/v1/calls with a recording announced as `totalBytes`
 * long, plus the first `sendBytes` of it; the rest comes only through `more()` (or never).
 */
export function partialUpload(
  baseUrl: string,
  token: string,
  agent: string,
  opts: { externalId: string; totalBytes: number; sendBytes: number },
): Promise<{ socket: net.Socket; more(bytes: number): void }> {
  const { port, hostname } = new URL(baseUrl);
  const boundary = `----fault${crypto.randomBytes(8).toString('hex')}`;
  const fields: Record<string, string> = {
    external_id: opts.externalId,
    agent,
    started_at: '2026-11-20T10:00:00Z',
    direction: 'inbound',
    category: 'returns',
    duration_s: '30',
  };
  let preamble = '';
  for (const [name, value] of Object.entries(fields)) {
    preamble += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  preamble +=
    `--${boundary}\r\nContent-Disposition: form-data; name="recording"; filename="call.wav"\r\n` +
    'Content-Type: audio/wav\r\n\r\n';
  const epilogue = `\r\n--${boundary}--\r\n`;
  const recording = wavRecording(opts.totalBytes, opts.totalBytes - 44);
  const length = Buffer.byteLength(preamble) + recording.length + Buffer.byteLength(epilogue);
  const head =
    `POST /api/v1/calls HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
    `Accept: application/json\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
    `Content-Length: ${length}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head + preamble);
      socket.write(recording.subarray(0, opts.sendBytes));
      let sent = opts.sendBytes;
      resolve({
        socket,
        more(bytes: number) {
          if (socket.destroyed || sent >= recording.length) return;
          socket.write(recording.subarray(sent, sent + bytes));
          sent += bytes;
        },
      });
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}
