import { auditDetailFields } from './audit-details';
import type { Executor } from '../db/transaction';
import { keysetPage } from '../lib/pages';

export interface AuditEvent {
  actorId: number | null;
  action: string;
  entityType?: string;
  entityId?: number;
  details?: Record<string, unknown>;
  ip?: string | null;
}

/** Records who did what to which record. Pass the transaction so the entry commits with the change. */
export async function recordAudit(db: Executor, at: string, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      actor_id: event.actorId,
      action: event.action,
      entity_type: event.entityType ?? null,
      entity_id: event.entityId ?? null,
      details: event.details ? JSON.stringify(event.details) : null,
      ip: event.ip ?? null,
    })
    .execute();
}

export interface AuditFilter {
  action?: string;
  actorId?: number;
  beforeId?: number;
  limit: number;
}

export async function listAudit(db: Executor, filter: AuditFilter) {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.action',
      'audit_log.entity_type',
      'audit_log.entity_id',
      'audit_log.details',
      'audit_log.ip',
      'users.username as actor_username',
    ])
    .orderBy('audit_log.id', 'desc')
    .limit(filter.limit + 1);
  if (filter.action) query = query.where('audit_log.action', '=', filter.action);
  if (filter.actorId) query = query.where('audit_log.actor_id', '=', filter.actorId);
  if (filter.beforeId) query = query.where('audit_log.id', '<', filter.beforeId);
  const rows = await query.execute();
  const { items, last } = keysetPage(rows, filter.limit);
  const entries = items.map((entry) => ({ ...entry, fields: auditDetailFields(entry.details) }));
  return { entries, nextBeforeId: last?.id ?? null };
}

export async function listAuditActions(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}
