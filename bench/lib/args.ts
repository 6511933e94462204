/** Minimal `--name value`, `--name=value` and `--flag` parsing for the bench scripts. */
export function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      args.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      args.set(arg.slice(2), argv[i + 1]);
      i += 1;
    } else {
      args.set(arg.slice(2), 'true');
    }
  }
  return args;
}

/** Accepts 1000000, 1,000,000, 1_000_000, 1e6, 100k and 1m. */
export function parseCount(text: string, name: string): number {
  const clean = text.trim().toLowerCase().replace(/[,_]/g, '');
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/.exec(clean);
  if (!match) throw new Error(`--${name} must be a number, got "${text}"`);
  const scale = match[2] === 'k' ? 1_000 : match[2] === 'm' ? 1_000_000 : 1;
  const value = Math.round(Number(match[1]) * scale);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

export function numberArg(args: Map<string, string>, name: string, fallback: number): number {
  const value = args.get(name);
  return value === undefined ? fallback : parseCount(value, name);
}

export function floatArg(args: Map<string, string>, name: string, fallback: number): number {
  const value = args.get(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got "${value}"`);
  return parsed;
}

export function flagArg(args: Map<string, string>, name: string): boolean {
  const value = args.get(name);
  return value !== undefined && value !== 'false' && value !== '0';
}

/** A size for humans: 1000000 → "1M", 100000 → "100k". */
export function shortCount(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return String(n);
}
