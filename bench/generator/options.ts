import path from 'node:path';
import { flagArg, floatArg, numberArg, parseArgs } from '../lib/args';
import { DEFAULT_MIGRATIONS_DIR, DEFAULT_OPTIONS, defaultDatasetDir, type GenerateOptions } from '../lib/dataset';

export function optionsFromArgs(argv: string[]): {
  options: GenerateOptions;
  out: string;
  force: boolean;
  migrationsDir: string;
} {
  const args = parseArgs(argv);
  const audit = args.get('audit') ?? DEFAULT_OPTIONS.audit;
  if (audit !== 'light' && audit !== 'full') throw new Error('--audit must be light or full');
  const options: GenerateOptions = {
    calls: numberArg(args, 'calls', DEFAULT_OPTIONS.calls),
    csrs: numberArg(args, 'csrs', DEFAULT_OPTIONS.csrs),
    teams: numberArg(args, 'teams', DEFAULT_OPTIONS.teams),
    departments: numberArg(args, 'departments', DEFAULT_OPTIONS.departments),
    days: numberArg(args, 'days', DEFAULT_OPTIONS.days),
    end: args.get('end'),
    seed: numberArg(args, 'seed', DEFAULT_OPTIONS.seed),
    scryptLogN: numberArg(args, 'scrypt-log-n', DEFAULT_OPTIONS.scryptLogN),
    recordedShare: floatArg(args, 'recorded-share', DEFAULT_OPTIONS.recordedShare),
    recordingDays: numberArg(args, 'recording-days', DEFAULT_OPTIONS.recordingDays),
    abandonedShare: floatArg(args, 'abandoned-share', DEFAULT_OPTIONS.abandonedShare),
    outboundShare: floatArg(args, 'outbound-share', DEFAULT_OPTIONS.outboundShare),
    evaluatedShare: floatArg(args, 'evaluated-share', DEFAULT_OPTIONS.evaluatedShare),
    transcriptShare: floatArg(args, 'transcript-share', DEFAULT_OPTIONS.transcriptShare),
    csatShare: floatArg(args, 'csat-share', DEFAULT_OPTIONS.csatShare),
    audit,
    analyze: flagArg(args, 'analyze'),
  };
  if (options.scryptLogN < 10 || options.scryptLogN > 20)
    throw new Error('--scrypt-log-n must be 10..20 (the app refuses others)');
  if (options.days < 1) throw new Error('--days must be at least 1');
  const migrationsDir = path.resolve(args.get('migrations') ?? DEFAULT_MIGRATIONS_DIR);
  const out = path.resolve(args.get('out') ?? defaultDatasetDir(options, migrationsDir));
  return { options, out, force: flagArg(args, 'force'), migrationsDir };
}
