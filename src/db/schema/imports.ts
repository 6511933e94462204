// Imports started from the page: their progress and outcome, readable by every app process.

/** One import job (src/imports/import-jobs.ts); `summary` is the outcome as JSON once it is done. */
export interface ImportJobsTable {
  id: string;
  owner_id: number;
  file_name: string;
  state: string;
  file_bytes: number;
  checked_bytes: number;
  done: number;
  total: number;
  summary: string | null;
  refused_count: number;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  holder: string | null;
  lease_until: string | null;
}
