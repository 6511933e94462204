// The imports room's door: the ACD CSV import (page, API and background jobs) and the bulk upload.
// Import "../imports", never its files.
export { MAX_BULK_ROWS, MAX_CSV_BYTES } from './bulk.service';
export { checkCsvHeader, MAX_IMPORT_ROWS, parseCallsCsv } from './csv';
export type { CsvRow } from './csv';
export { ImportJobs } from './import-jobs';
export type { ImportJob, ImportJobState } from './import-jobs';
export { importCallsFile, ImportStopped } from './import.service';
export type { ImportOptions, ImportProgress, ImportSummary, LineError } from './import.service';
export { callsApiRoutes } from './imports.api';
export { uploadRoutes } from './upload.routes';
