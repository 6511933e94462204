import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DisputeReviewer } from './disputes';

// Rubrics (scorecard forms): versions, sections, items and choice options.

export type RubricStatus = 'draft' | 'published' | 'retired';
export type ReleaseMode = 'on_submit' | 'after_days' | 'manual' | 'never';
export type ItemType = 'yes_no' | 'scale' | 'choice';
export type AutoMode = 'off' | 'suggest' | 'auto';

export interface RubricsTable {
  id: Generated<number>;
  family_id: number | null;
  version: ColumnType<number, number | undefined, number>;
  name: string;
  description: string | null;
  status: ColumnType<RubricStatus, RubricStatus | undefined, RubricStatus>;
  pass_threshold: ColumnType<number, number | undefined, number>;
  release_mode: ColumnType<ReleaseMode, ReleaseMode | undefined, ReleaseMode>;
  release_after_days: number | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  retired_at: string | null;
  disputes_enabled: ColumnType<number, number | undefined, number>;
  dispute_limit: ColumnType<number, number | undefined, number>;
  dispute_window_days: ColumnType<number, number | undefined, number>;
  dispute_reviewer: ColumnType<DisputeReviewer, DisputeReviewer | undefined, DisputeReviewer>;
  /** What the items' automatic rules do: nothing, suggest answers on the scoring form, or score on their own. */
  auto_mode: ColumnType<AutoMode, AutoMode | undefined, AutoMode>;
}

export interface RubricSectionsTable {
  id: Generated<number>;
  rubric_id: number;
  position: number;
  title: string;
  weight: number;
  threshold: number | null;
}

export interface RubricItemsTable {
  id: Generated<number>;
  rubric_id: number;
  section_id: number;
  position: number;
  prompt: string;
  guidance: string | null;
  type: ItemType;
  max_points: number;
  allow_na: ColumnType<number, number | undefined, number>;
  critical: ColumnType<number, number | undefined, number>;
  comment_required: ColumnType<number, number | undefined, number>;
  /** The item's automatic rule as JSON ({"when", "then", "else"}, answers in stored form), or null. */
  auto_rule: string | null;
}

export interface RubricOptionsTable {
  id: Generated<number>;
  item_id: number;
  position: number;
  label: string;
  points: number;
}
export type Rubric = Selectable<RubricsTable>;
