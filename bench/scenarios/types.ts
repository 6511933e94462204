import type { AppUnderTest } from '../lib/app';
import type { Manifest } from '../lib/dataset';
import type { ServerHandle } from '../lib/server';

export interface RunOptions {
  /** Seconds of autocannon load per load test. */
  loadSeconds: number;
  connections: number;
  /** Sequential samples per case: stop at this many or after `sequentialMs`, whichever first (min 5). */
  sequentialSamples: number;
  sequentialMs: number;
  /** Size in bytes of the large recording for the range and upload scenarios. */
  largeRecordingBytes: number;
  /** Where large scratch files (the big WAV) are kept between runs. */
  cacheDir: string;
}

export interface ScenarioContext {
  size: number;
  manifest: Manifest;
  /** Scratch copy of the dataset this run may change (uploads, tokens, sessions). */
  workDir: string;
  /** The app being measured (its built code in app.dir/dist). */
  app: AppUnderTest;
  options: RunOptions;
  /**
   * A fresh server on the scratch copy; stop it before returning. `env` adds environment variables (a
   * what-if run with NODE_OPTIONS preloading a bench patch, say), `nodeArgs` node flags (a heap cap).
   */
  startServer(env?: Record<string, string>, nodeArgs?: string[]): Promise<ServerHandle>;
  log(message: string): void;
}

/** A target from the issue, checked against a measured figure. */
export interface Check {
  target: string;
  measured: string;
  /** null when the figure was not measured in this run. */
  pass: boolean | null;
}

export interface ScenarioReport {
  /** Written to bench/results/<name>.json. */
  json: Record<string, unknown>;
  /** A section of bench/results/SUMMARY.md (starts with a ## heading). */
  markdown: string;
  checks: Check[];
}

export interface Scenario<R = unknown> {
  name: string;
  title: string;
  /** 'all': once per dataset size; 'largest': only on the largest dataset of the run. */
  sizes: 'all' | 'largest';
  run(ctx: ScenarioContext): Promise<R>;
  report(results: Array<{ size: number; result: R }>): ScenarioReport;
}

/** Lets a registry hold scenarios with different result types. */
export function defineScenario<R>(scenario: Scenario<R>): Scenario<unknown> {
  return scenario as Scenario<unknown>;
}
