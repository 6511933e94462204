import type { Response } from 'express';
import { csvCell } from '../budget/budget.routes';

/** Starts a CSV download; rows are written one by one, so a year of data never sits in memory at once. */
export function csvResponse(res: Response, name: string, header: string[]) {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.attachment(name);
  res.write(`${header.map(csvCell).join(',')}\n`);
  return {
    /** Writes a row; resolves once the socket can take more, so a slow client slows the query, not memory. */
    async row(values: unknown[]): Promise<void> {
      if (!res.write(`${values.map(csvCell).join(',')}\n`)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      }
    },
    end(): void {
      res.end();
    },
  };
}

export function pct(value: number | null): string {
  return value === null ? '' : (value * 100).toFixed(1);
}

export function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);
}
