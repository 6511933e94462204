/**
 * The automatic-rule engine on its own (issue 16, Performance): every default rule over synthetic analysed calls
 * with transcripts, on one core (this process, single-threaded), no server and no database.
 *
 *   node_modules/.bin/tsx bench/autoqa.ts [--calls 100000] [--lines 40] [--seed 16] [--results bench/results]
 *
 * Calls are generated in batches of 1,000 (new strings and arrays each, so nothing is cached from one call to
 * the next); only the evaluation is timed, in wall time and in this process's CPU time. Target: at least 2,000
 * calls per second of one core, judged on CPU time so that a busy machine does not decide it (the wall figure and
 * os.loadavg() are reported beside it). Writes <results>/autoqa.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RULES, ruleSchema, suggestAnswers, type CallFacts, type TranscriptLine } from '../src/autoqa';
import { numberArg, parseArgs } from './lib/args';
import { Rng } from './lib/rng';

const TARGET_PER_S = 2000;
const BATCH = 1000;

const AGENT = [
  'Thank you for calling Acme, my name is {name}. How can I help you today?',
  'I am sorry to hear that. Before we start, can you please verify the address on the account?',
  'Thank you, that matches our records. Let me pull up the details, one moment please.',
  'I can see the order from the {ordinal} of {month} for {amount} dollars.',
  'May I place you on hold for {small} minutes while I check with billing?',
  'Thanks for holding. I have corrected it and you will get a confirmation by email.',
  'It should show within {small} business days. Is there anything else I can help you with?',
  'I understand, and I can offer a refund of {amount} dollars to the card on file.',
  'Your reference number is {digits}, please keep it for your records.',
  'Thank you for calling, {customer}. Have a great day.',
];
const CUSTOMER = [
  'Hi, I am calling about my {topic}. Something does not look right.',
  'Sure, it is {digits} Elm Street, Springfield.',
  'I would like to change my address on the account, we moved last week.',
  'That would be great. How long will it take?',
  'Can I get a refund instead? I was charged twice.',
  'No, that is all. Thanks for your help!',
  'Sorry, could you repeat that? The line is bad.',
  'I have been waiting for {small} days already and nobody called me back.',
];
const WORDS = {
  name: ['Sam', 'Priya', 'José', 'Lena', 'Tom'],
  customer: ['Mr Lee', 'Ms García', 'Ana', 'Omar'],
  topic: ['bill', 'order', 'return', 'router', 'warranty claim', 'payment'],
  month: ['May', 'June', 'October', 'March'],
  ordinal: ['first', 'twenty first', '3rd', 'twelfth', '30th'],
  small: ['two', 'three', '5', 'ten', 'twenty'],
};

function fill(template: string, rng: Rng): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (key === 'amount') return String(10 + rng.int(990));
    if (key === 'digits') return String(1000 + rng.int(9000));
    return rng.pick(WORDS[key as keyof typeof WORDS] ?? ['?']);
  });
}

function call(rng: Rng, lines: number): CallFacts {
  const transcript: TranscriptLine[] = [];
  let t = rng.next() * 3;
  for (let i = 0; i < lines; i += 1) {
    const agent = i === 0 ? rng.chance(0.9) : rng.chance(0.55);
    const template = i === 0 && agent ? AGENT[0] : agent ? rng.pick(AGENT) : rng.pick(CUSTOMER);
    const length = 1.5 + rng.next() * 6;
    transcript.push({
      speaker: agent ? 'agent' : 'customer',
      start_s: t,
      end_s: t + length,
      text: fill(template, rng),
    });
    t += length + rng.next() * 1.5 - 0.3; // cues may overlap
  }
  const duration = t + 2;
  const stretches = (count: number, max: number) =>
    Array.from({ length: count }, () => {
      const start = rng.next() * duration;
      return { start_s: start, end_s: start + rng.next() * max };
    }).sort((a, b) => a.start_s - b.start_s);
  return {
    transcript,
    duration_s: duration,
    analysis_status: 'done',
    dead_air: stretches(rng.int(6), 15),
    overtalk: rng.chance(0.1) ? null : stretches(rng.int(8), 4),
    hold_s: rng.chance(0.6) ? 0 : rng.int(300),
  };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const calls = numberArg(args, 'calls', 100_000);
  const lines = numberArg(args, 'lines', 40);
  const rng = new Rng(numberArg(args, 'seed', 16));
  const resultsDir = args.get('results') ?? path.join(__dirname, 'results');
  const items = DEFAULT_RULES.map((rule, id) => ({ id, auto: ruleSchema.parse(rule.auto) }));
  const loadBefore = os.loadavg();
  const cpuBefore = process.cpuUsage();
  const answered = new Map<string, number>();
  const batchRates: number[] = [];
  let evaluationMs = 0;
  let evaluationCpuUs = 0;
  for (let done = 0; done < calls; done += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, calls - done) }, () => call(rng, lines));
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (const facts of batch) {
      for (const answer of suggestAnswers(items, facts)) {
        const key = `${answer.item_id}:${answer.value}`;
        answered.set(key, (answered.get(key) ?? 0) + 1);
      }
    }
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpuStarted);
    evaluationCpuUs += used.user + used.system;
    evaluationMs += ms;
    batchRates.push((batch.length / ms) * 1000);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = (calls / evaluationMs) * 1000;
  batchRates.sort((a, b) => a - b);
  const result = {
    calls,
    lines_per_call: lines,
    rules: items.length,
    evaluation_ms: Math.round(evaluationMs),
    calls_per_s: Math.round(perSecond),
    /** Calls per second of this process's CPU time: what one core does when it is not shared. */
    calls_per_cpu_s: Math.round(calls / (evaluationCpuUs / 1e6)),
    batch_calls_per_s: {
      min: Math.round(batchRates[0] ?? 0),
      median: Math.round(batchRates[Math.floor(batchRates.length / 2)] ?? 0),
      max: Math.round(batchRates.at(-1) ?? 0),
    },
    process_cpu_s: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    loadavg_before: loadBefore.map((x) => Math.round(x * 100) / 100),
    loadavg_after: os.loadavg().map((x) => Math.round(x * 100) / 100),
    cores: os.cpus().length,
    node: process.version,
    answers: Object.fromEntries([...answered].sort()),
    target_calls_per_s: TARGET_PER_S,
    /** Judged on CPU time: "one core" is what this process gets of one, however busy the machine is. */
    pass: calls / (evaluationCpuUs / 1e6) >= TARGET_PER_S,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'autoqa.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  if (!result.pass) process.exitCode = 1;
}

main();
