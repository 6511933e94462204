/**
 * The scoring form with suggestions (issue 16, Performance: "the scoring form with suggestions still under
 * 50 ms"): GET /evaluations/:id/score of a draft of the default rubric (suggest mode: the rules run on the
 * call's transcript and analysis for every view) against the real built server, beside the same form on a
 * rubric without rules (the baseline), on a demo installation set up through /setup.
 *
 *   npm run -s build && node_modules/.bin/tsx bench/suggest-form.ts [--samples 200] [--results bench/results]
 *
 * Sequential requests on one keep-alive connection after a warm-up; medians, p95 and their ratio, with
 * os.loadavg() at the start and end (the machine is shared). Writes <results>/suggest-form.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { numberArg, parseArgs } from './lib/args';
import { createToken, request, signIn } from './lib/http';
import { freePort } from './lib/server';
import { round, summarize } from './lib/stats';

const TARGET_MS = 50;
const PASSWORD = 'callscore-demo-2026';
const ROOT = path.resolve(__dirname, '..');

async function setUp(baseUrl: string): Promise<void> {
  const form = await request(baseUrl, '/setup');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body.toString('utf8'))?.[1] ?? '';
  const cookie = (form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const body = new URLSearchParams({
    _csrf: csrf,
    username: 'admin',
    display_name: 'Bench Admin',
    password: PASSWORD,
    demo: 'on',
  }).toString();
  const res = await request(baseUrl, '/setup', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body,
  });
  if (res.status !== 303) throw new Error(`setup failed: ${res.status}`);
}

async function json<T>(baseUrl: string, token: string, pathName: string, body?: object): Promise<T> {
  const res = await request(baseUrl, pathName, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status >= 300) throw new Error(`${pathName}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  return JSON.parse(res.body.toString('utf8')) as T;
}

async function waitForAnalysis(baseUrl: string, token: string, callId: number): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const a = await json<{ status: string }>(baseUrl, token, `/api/v1/calls/${callId}/analysis`);
    if (a.status !== 'pending' || Date.now() > deadline) return a.status;
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface RubricOut {
  id: number;
  name: string;
  status: string;
  auto_mode: string;
  sections: Array<{
    title: string;
    weight: number;
    threshold: number | null;
    items: Array<Record<string, unknown> & { options?: Array<{ label: string; points: number }> }>;
  }>;
}

/** The demo's published rubric in suggest mode (the standard rubric), looked up by id. */
async function findSuggestRubric(baseUrl: string, token: string): Promise<RubricOut> {
  for (let id = 1; id <= 20; id += 1) {
    const r = await json<RubricOut>(baseUrl, token, `/api/v1/rubrics/${id}`).catch(() => null);
    if (r && r.status === 'published' && r.auto_mode === 'suggest') return r;
  }
  throw new Error('the demo has no published rubric in suggest mode');
}

/** The same rubric without rules and with auto_mode off, published: the baseline form. */
async function copyWithoutRules(baseUrl: string, token: string, rubric: RubricOut): Promise<RubricOut> {
  const body = {
    name: `${rubric.name} (no rules)`,
    auto_mode: 'off',
    sections: rubric.sections.map((s) => ({
      title: s.title,
      weight: s.weight,
      threshold: s.threshold,
      items: s.items.map((i) => ({
        prompt: i.prompt,
        guidance: i.guidance,
        type: i.type,
        max: i.max,
        points: i.points,
        options: i.options?.map((o) => ({ label: o.label, points: o.points })),
        allow_na: i.allow_na,
        critical: i.critical,
        comment_required: i.comment_required,
      })),
    })),
  };
  const created = await json<RubricOut>(baseUrl, token, '/api/v1/rubrics', body);
  await json(baseUrl, token, `/api/v1/rubrics/${created.id}/publish`, {});
  return { ...created, name: body.name };
}

async function time(baseUrl: string, cookie: string, pathName: string, samples: number, check: RegExp) {
  const first = await request(baseUrl, pathName, { headers: { cookie } });
  if (first.status !== 200 || !check.test(first.body.toString('utf8')))
    throw new Error(`${pathName}: ${first.status}, or not the expected form`);
  for (let i = 0; i < 20; i += 1) await request(baseUrl, pathName, { headers: { cookie } });
  const ms: number[] = [];
  for (let i = 0; i < samples; i += 1) ms.push((await request(baseUrl, pathName, { headers: { cookie } })).ms);
  return summarize(ms);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const samples = numberArg(args, 'samples', 200);
  const results = args.get('results') ?? path.join(ROOT, 'bench/results');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-suggest-bench-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const loadStart = os.loadavg();
  const server = spawn(process.execPath, [path.join(ROOT, 'dist/src/server.js')], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i += 1) {
      const up = await request(baseUrl, '/login').catch(() => null);
      if (up) break;
      if (i > 300) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const setupStarted = performance.now();
    await setUp(baseUrl);
    const setupMs = round(performance.now() - setupStarted, 0);
    const token = await createToken(baseUrl, 'sup.sam', PASSWORD);
    const cookie = await signIn(baseUrl, 'sup.sam', PASSWORD);
    const calls = await json<{ items: Array<{ id: number; recording_url: string | null }> }>(
      baseUrl,
      token,
      '/api/v1/calls?recording=with&limit=50',
    );
    const call = calls.items.find((c) => c.recording_url !== null) ?? calls.items[0];
    if (!call) throw new Error('no demo call in sup.sam’s teams');
    const analysis = await waitForAnalysis(baseUrl, token, call.id);
    const adminToken = await createToken(baseUrl, 'admin', PASSWORD);
    const suggestRubric = await findSuggestRubric(baseUrl, adminToken);
    const plainRubric = await copyWithoutRules(baseUrl, adminToken, suggestRubric);
    const draft = async (rubricId: number) =>
      (await json<{ id: number }>(baseUrl, token, '/api/v1/evaluations', { call_id: call.id, rubric_id: rubricId })).id;
    const withSuggestions = await time(
      baseUrl,
      cookie,
      `/evaluations/${await draft(suggestRubric.id)}/score`,
      samples,
      /data-suggestion-state/,
    );
    const without = await time(
      baseUrl,
      cookie,
      `/evaluations/${await draft(plainRubric.id)}/score`,
      samples,
      /data-score-form/,
    );
    const loadEnd = os.loadavg();
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadavg_start: loadStart.map((x) => round(x, 2)),
      loadavg_end: loadEnd.map((x) => round(x, 2)),
      setup_with_demo_ms: setupMs,
      call: { id: call.id, analysis },
      samples,
      with_suggestions: { rubric: suggestRubric.name, ...withSuggestions },
      without_suggestions: { rubric: plainRubric.name, ...without },
      median_ratio: round(withSuggestions.median / without.median, 2),
      target_ms: TARGET_MS,
      pass: withSuggestions.median < TARGET_MS,
    };
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(path.join(results, 'suggest-form.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    server.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
