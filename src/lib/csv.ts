import type { Response } from 'express';

/**
 * A finite number's text: the same as String(n), as JSON writes a number with ToString (ECMA-262 §25.5.2.2).
 * String(n) goes through V8's number-to-string cache, which keeps its results alive past a young-generation
 * collection; over a one-year export those strings were promoted and RSS climbed 26–58 MB until a full one.
 */
function numberText(n: number): string {
  return JSON.stringify(n);
}

/** CSV cells quoted, with a leading apostrophe against formula injection in spreadsheets. */
export function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'number' && Number.isFinite(value)
        ? numberText(value)
        : String(value);
  // A plain number (e.g. -59.4) is data, not a formula; anything else starting like a formula is neutralised.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface CsvDownload {
  /** False once the client has gone away. */
  readonly open: boolean;
  /** Writes one row; resolves to false once the client has gone away. */
  row(values: unknown[]): Promise<boolean>;
  /** Writes a page of rows in one piece; resolves to false once the client has gone away. */
  rows(rows: unknown[][]): Promise<boolean>;
  end(): void;
}

/**
 * Starts a CSV download. Each write waits until the socket can take more, so a slow client slows the
 * query instead of piling rows up in memory; once the client has gone away writes stop and resolve false.
 */
export function csvResponse(res: Response, name: string, header: string[]): CsvDownload {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.attachment(name);
  res.write(csvLine(header));
  async function send(text: string): Promise<boolean> {
    if (res.destroyed) return false;
    if (!res.write(text)) await drained(res);
    return !res.destroyed;
  }
  return {
    get open() {
      return !res.destroyed;
    },
    row: (values) => send(csvLine(values)),
    rows: (rows) => send(rows.map(csvLine).join('')),
    end(): void {
      if (!res.destroyed) res.end();
    },
  };
}

function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\n`;
}

/** Resolves when the response can take more, or when the client has gone away ('drain' then never comes). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    // Already closed: 'close' has been emitted and will not come again.
    if (res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function pct(value: number | null): string {
  return value === null ? '' : (value * 100).toFixed(1);
}

export function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);
}
