import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { openDatabase } from '../../src/db/database';
import { verifyPassword } from '../../src/lib/passwords';
import { freePort } from '../helpers/ports';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An empty data folder: the CLI and the server migrate it themselves. */
function emptyDataDir(): string {
  const base = process.env.CALLSCORE_TEST_DIR;
  if (!base) throw new Error('global setup did not run');
  return fs.mkdtempSync(path.join(base, 'cli-'));
}

function envFor(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, SCRYPT_LOG_N: '12', ...extra };
}

function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function userCreate(dataDir: string, args: string[]): Promise<Finished> {
  return finished(spawn(TSX, ['src/cli/user-create.ts', ...args], { cwd: ROOT, env: envFor(dataDir) }));
}

async function usersIn(dataDir: string) {
  const database = openDatabase(path.join(dataDir, 'callscore.db'));
  try {
    return await database.db.selectFrom('users').selectAll().orderBy('id').execute();
  } finally {
    await database.close();
  }
}

describe('npm run user:create (from source)', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = emptyDataDir();
  });

  test('creates the user in an empty data folder and exits 0', async () => {
    const result = await userCreate(dataDir, [
      '--username',
      'ops.admin',
      '--password',
      'a long and quiet harbour',
      '--role',
      'admin',
      '--display-name',
      'Ops Admin',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ops.admin');
    const users = await usersIn(dataDir);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ username: 'ops.admin', display_name: 'Ops Admin', role: 'admin', active: 1 });
    expect(users[0].password_hash).toMatch(/^scrypt\$12\$/);
    expect(await verifyPassword('a long and quiet harbour', users[0].password_hash)).toBe(true);
  });

  test('a taken username exits non-zero with a message and creates nobody', async () => {
    const args = ['--username', 'ops.admin', '--password', 'a long and quiet harbour', '--role', 'admin'];
    expect((await userCreate(dataDir, args)).code).toBe(0);
    const again = await userCreate(dataDir, [
      '--username',
      'OPS.ADMIN',
      '--password',
      'another long passphrase',
      '--role',
      'manager',
    ]);
    expect(again.code).not.toBe(0);
    expect(again.code).not.toBeNull();
    expect(again.stderr).toContain('That username is taken.');
    expect(await usersIn(dataDir)).toHaveLength(1);
  });

  test.each([
    ['too short', 'short', 'Use at least 8 characters.'],
    ['common', 'password1', 'commonly used passwords'],
  ])('a %s password exits non-zero with a message and creates nobody', async (_label, password, message) => {
    const result = await userCreate(dataDir, ['--username', 'weakling', '--password', password, '--role', 'csr']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain(message);
    expect(await usersIn(dataDir)).toHaveLength(0);
  });

  test('an unknown role exits non-zero and names the problem', async () => {
    const result = await userCreate(dataDir, [
      '--username',
      'someone',
      '--password',
      'a long and quiet harbour',
      '--role',
      'owner',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/role/);
    expect(await usersIn(dataDir)).toHaveLength(0);
  });

  test.each([
    ['no arguments', []],
    ['no password', ['--username', 'someone', '--role', 'admin']],
    ['no role', ['--username', 'someone', '--password', 'a long and quiet harbour']],
    [
      'an unknown option',
      ['--username', 'someone', '--password', 'a long and quiet harbour', '--role', 'admin', '--x'],
    ],
  ])('%s exits non-zero with the usage line and touches no database', async (_label, args) => {
    const result = await userCreate(dataDir, args);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain('Usage: npm run user:create -- --username NAME --password PASS --role');
    expect(fs.existsSync(path.join(dataDir, 'callscore.db'))).toBe(false);
  });
});

interface Reply {
  status: number;
  body: string;
}

function get(port: number, urlPath: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A request whose body is still arriving: it is in flight until `finish` sends the rest. */
function slowRequest(port: number, urlPath: string) {
  const body = JSON.stringify({ note: 'sent in two halves' });
  const half = Math.floor(body.length / 2);
  let resolveReply: (reply: Reply) => void;
  let rejectReply: (err: Error) => void;
  const reply = new Promise<Reply>((resolve, reject) => {
    resolveReply = resolve;
    rejectReply = reject;
  });
  const req = http.request(
    {
      host: '127.0.0.1',
      port,
      method: 'GET',
      path: urlPath,
      agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' },
    },
    (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolveReply({ status: res.statusCode ?? 0, body: text }));
    },
  );
  req.on('error', (err) => rejectReply(err));
  req.flushHeaders();
  req.write(body.slice(0, half));
  return { reply, finish: () => req.end(body.slice(half)) };
}

describe('the server process', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  test('serves /healthz, finishes an in-flight request on SIGTERM, closes the database and exits 0', async () => {
    const dataDir = emptyDataDir();
    const admin = await userCreate(dataDir, [
      '--username',
      'ops.admin',
      '--password',
      'a long and quiet harbour',
      '--role',
      'admin',
    ]);
    expect(admin.code).toBe(0);

    const port = await freePort();
    child = spawn(TSX, ['src/server.ts'], {
      cwd: ROOT,
      env: envFor(dataDir, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
    });
    const done = finished(child);
    let log = '';
    child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));

    const health = await waitFor('/healthz', async () => {
      const reply = await get(port, '/healthz');
      return reply.status === 200 ? reply : undefined;
    });
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });

    const inFlight = slowRequest(port, '/login');
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    await waitFor('the shutdown log line', async () => (log.includes('shutting down') ? true : undefined), 10_000);

    await expect(get(port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(child.exitCode).toBeNull();

    inFlight.finish();
    const reply = await inFlight.reply;
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('Sign in');

    const result = await done;
    expect(result.code).toBe(0);
    expect(log).toContain('database closed');
    expect(log).not.toMatch(/"level":(50|60)/);
  });

  test('a bad configuration value stops start-up with a message naming it', async () => {
    const result = await finished(
      spawn(TSX, ['src/server.ts'], { cwd: ROOT, env: envFor(emptyDataDir(), { PORT: 'not-a-port' }) }),
    );
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain('PORT');
  });
});
