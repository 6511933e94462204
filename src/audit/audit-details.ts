// An audit entry's details are stored as JSON; people read them as named fields, never as raw JSON.

export interface AuditField {
  name: string;
  value: string;
}

/** "team_id" → "team id": the stored key in words. */
function fieldName(key: string): string {
  return key
    .replace(/[_.]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** A stored value as text: a change as "from → to", a list joined, a nested record as "name: value" pairs. */
function fieldValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(fieldValue).join(', ') : '—';
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 2 && 'from' in record && 'to' in record) {
      return `${fieldValue(record.from)} → ${fieldValue(record.to)}`;
    }
    return keys.map((k) => `${fieldName(k)}: ${fieldValue(record[k])}`).join('; ');
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** The details of an audit entry as fields in their stored order; text that is not a JSON record as one field. */
export function auditDetailFields(details: string | null): AuditField[] {
  if (!details) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return [{ name: 'note', value: details }];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return [{ name: 'note', value: fieldValue(parsed) }];
  }
  return Object.entries(parsed as Record<string, unknown>).map(([key, value]) => ({
    name: fieldName(key),
    value: fieldValue(value),
  }));
}
