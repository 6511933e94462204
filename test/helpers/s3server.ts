// A real S3-compatible server on loopback for the object-storage suites: s3rver (npm, pure JavaScript, keeps its
// objects in a folder), started and stopped by the tests themselves, so `npm test` needs no external service.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export const BUCKET = 'callscore-test';

export interface S3TestServer {
  readonly port: number;
  /** Where s3rver keeps the bucket's objects (files under <dir>/<bucket>/…). */
  readonly dir: string;
  /** The settings a Callscore process needs to use this server under `prefix`. */
  env(prefix: string, extra?: Record<string, string>): Record<string, string>;
  /** Stops answering: connections to the port are refused until start(). */
  stop(): Promise<void>;
  /** Answers again on the same port with the same objects. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-s3-'));
  let port = 0;
  let server: S3rver | null = null;
  const start = async () => {
    const instance = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    port = (await instance.run()).port;
    server = instance;
  };
  const stop = async () => {
    // Kept-alive connections are cut too, as when the storage goes away.
    const closing = server?.close();
    server?.httpServer?.closeAllConnections();
    await closing;
    server = null;
  };
  await start();
  return {
    get port() {
      return port;
    },
    dir,
    env: (prefix, extra = {}) => ({
      RECORDINGS_URL: `s3://${BUCKET}/${prefix}`,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ...extra,
    }),
    stop,
    start,
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
