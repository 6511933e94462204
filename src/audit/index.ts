// The audit room's door: everything other rooms may use of it. Import "../audit", never its files.
export { listAudit, recordAudit } from './audit.queries';
export { auditRoutes } from './audit.routes';
export { recordChange, type ChangedRecord } from './record-change';
