import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// Calls from the phone system, with their recording and transcript.

export type Direction = 'inbound' | 'outbound';
export type RecordingStatus = 'stored' | 'missing' | 'deleted';

export interface CallsTable {
  id: Generated<number>;
  source: ColumnType<string, string | undefined, string>;
  external_id: string;
  agent_id: number | null;
  team_id: number | null;
  queue: string | null;
  started_at: string;
  direction: Direction;
  category: string | null;
  queue_wait_s: ColumnType<number, number | undefined, number>;
  hold_s: ColumnType<number, number | undefined, number>;
  duration_s: ColumnType<number, number | undefined, number>;
  csat: number | null;
  abandoned: ColumnType<number, number | undefined, number>;
  evaluation_count: ColumnType<number, number | undefined, number>;
  recording_status: RecordingStatus | null;
  recording_file: string | null;
  recording_original_name: string | null;
  recording_mime: string | null;
  recording_bytes: number | null;
  recording_sha256: string | null;
  recording_codec: string | null;
  recording_channels: number | null;
  recording_sample_rate: number | null;
  recording_duration_s: number | null;
  recording_deleted_at: string | null;
  transcript_format: 'vtt' | 'text' | null;
  transcript: string | null;
  /** 'stt' when a speech-to-text engine wrote the transcript; null when the phone system or a person did. */
  transcript_source: ColumnType<'stt' | null, 'stt' | null | undefined, 'stt' | null>;
  created_by: number | null;
  created_at: string;
}
export type Call = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;

/**
 * A call's own figures as the phone system recorded them, in the one order every call table lists them: the
 * new-call form's fields (calls/calls.schemas.ts), the call list's columns (calls/calls.queries.ts) and the calls
 * CSV export (reports/exports.ts). Here beside the table, not behind the calls room's door, because reports
 * cannot import that door without a cycle (calls -> autoeval -> reports).
 */
export const CALL_FIGURES = [
  'direction',
  'category',
  'queue_wait_s',
  'hold_s',
  'duration_s',
  'csat',
  'abandoned',
] as const satisfies ReadonlyArray<keyof CallsTable>;
export type CallFigure = (typeof CALL_FIGURES)[number];

/** The figures as columns of the calls table, for a select. */
export const CALL_FIGURE_COLUMNS = CALL_FIGURES.map((name) => `calls.${name}` as const);

/** A person's saved view of the call list: a name and the list's query string. */
export interface SavedCallViewsTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  query: string;
  created_at: string;
}
export type SavedCallView = Selectable<SavedCallViewsTable>;
