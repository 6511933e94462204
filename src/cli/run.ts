import { ConfigError } from '../config';

// What every command does around its work: the same exit codes, and a bad setting told in one line.

/** Runs a command and exits with the code it returns; a configuration error prints its message alone. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(1);
    },
  );
}

/** Runs `work` with the database open, and closes it afterwards whatever happened. */
export async function withDatabase<T>(database: { close(): Promise<void> }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await database.close();
  }
}
