import type { Executor } from '../db/transaction';
import { recordAudit, type AuditEvent } from './audit.queries';

/** The record a change was made to: its type and id, as `['webhook', 7]`. */
export type ChangedRecord = readonly [entityType: string, entityId: number];

/**
 * Records that `by` did `action` to one record, with `details` if any: the audit entry a service writes beside its
 * change, in the same transaction so it commits with it. (Entries about no one record use `recordAudit`.)
 */
export function recordChange(
  db: Executor,
  at: string,
  by: Pick<AuditEvent, 'actorId' | 'ip'>,
  action: string,
  [entityType, entityId]: ChangedRecord,
  details?: Record<string, unknown>,
): Promise<void> {
  return recordAudit(db, at, { actorId: by.actorId, action, entityType, entityId, details, ip: by.ip });
}
