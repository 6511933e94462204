import { spawn } from 'node:child_process';
import { SpeechError } from './types';

/** Splits a command line into argv as a shell would for quotes and spaces, without running any shell. */
export function splitCommand(line: string): string[] {
  const argv: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line.charAt(i);
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) current += line.charAt(++i);
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line.charAt(++i);
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) argv.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new SpeechError('STT_COMMAND has an unclosed quote.');
  if (started) argv.push(current);
  return argv;
}

/**
 * Runs a program (never through a shell) and gives its standard output; killed after `timeoutMs`, and
 * refused when it writes more than `maxOutputBytes` or exits with a failure.
 */
export function runProcess(argv: string[], limits: { timeoutMs: number; maxOutputBytes: number }): Promise<string> {
  const [program, ...args] = argv;
  if (!program) return Promise.reject(new SpeechError('No program to run.'));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: SpeechError | null = null;
    const stop = (why: string) => {
      failure ??= new SpeechError(why);
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`${program} took longer than ${limits.timeoutMs / 1000} s.`), limits.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxOutputBytes) stop(`${program} wrote more than ${limits.maxOutputBytes} bytes.`);
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new SpeechError(`${program} could not be started: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (code !== 0) {
        const tail = stderr.trim().split('\n').slice(-2).join(' ');
        return reject(new SpeechError(`${program} failed (exit ${code}): ${tail}`));
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}
