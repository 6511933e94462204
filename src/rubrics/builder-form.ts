// The rubric builder posts flat fields (s0_title, s0_i1_prompt, s0_i1_o2_points, …) so it works without
// JavaScript; this module turns them into the nested rubric input and applies the builder's buttons.
import { ruleAsInput } from './rubric-rules';
import type { FullRubric } from './rubrics.queries';

export interface OptionDraft {
  label: string;
  points: string;
}

export interface ItemDraft {
  prompt: string;
  guidance: string;
  type: string;
  max: string;
  points: string;
  allow_na: boolean;
  critical: boolean;
  comment_required: boolean;
  options: OptionDraft[];
  /** The automatic rule as JSON text ('' for none), so editing a draft on the page keeps its rules. */
  auto: string;
}

export interface SectionDraft {
  title: string;
  weight: string;
  threshold: string;
  items: ItemDraft[];
}

export interface RubricDraft {
  name: string;
  description: string;
  pass_threshold: string;
  release_mode: string;
  release_after_days: string;
  disputes_enabled: boolean;
  dispute_limit: string;
  dispute_window_days: string;
  dispute_reviewer: string;
  auto_mode: string;
  sections: SectionDraft[];
}

const MAX_SECTIONS = 30;
const MAX_ITEMS = 50;
const MAX_OPTIONS = 10;

export function blankItem(): ItemDraft {
  return {
    prompt: '',
    guidance: '',
    type: 'yes_no',
    max: '4',
    points: '1',
    allow_na: false,
    critical: false,
    comment_required: false,
    options: [],
    auto: '',
  };
}

export function blankSection(): SectionDraft {
  return { title: '', weight: '1', threshold: '', items: [blankItem()] };
}

export function blankRubric(): RubricDraft {
  return {
    name: '',
    description: '',
    pass_threshold: '75',
    release_mode: 'on_submit',
    release_after_days: '',
    disputes_enabled: true,
    dispute_limit: '2',
    dispute_window_days: '14',
    dispute_reviewer: 'supervisor',
    auto_mode: 'off',
    sections: [blankSection()],
  };
}

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

function indices(body: Record<string, unknown>, pattern: RegExp, limit: number): number[] {
  const found = new Set<number>();
  for (const key of Object.keys(body)) {
    const m = pattern.exec(key);
    if (m && Number(m[1]) < limit) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** Reads the builder's flat fields into a draft (strings as typed, so a form with errors re-renders as it was). */
export function draftFromForm(body: Record<string, unknown>): RubricDraft {
  const sections = indices(body, /^s(\d+)_title$/, MAX_SECTIONS).map((s) => {
    const prefix = `s${s}_`;
    const items = indices(body, new RegExp(`^s${s}_i(\\d+)_prompt$`), MAX_ITEMS).map((i) => {
      const p = `${prefix}i${i}_`;
      const options = indices(body, new RegExp(`^s${s}_i${i}_o(\\d+)_label$`), MAX_OPTIONS).map((o) => ({
        label: str(body, `${p}o${o}_label`),
        points: str(body, `${p}o${o}_points`),
      }));
      return {
        prompt: str(body, `${p}prompt`),
        guidance: str(body, `${p}guidance`),
        type: str(body, `${p}type`) || 'yes_no',
        max: str(body, `${p}max`),
        points: str(body, `${p}points`),
        allow_na: str(body, `${p}allow_na`) === 'on',
        critical: str(body, `${p}critical`) === 'on',
        comment_required: str(body, `${p}comment_required`) === 'on',
        options,
        auto: str(body, `${p}auto`),
      };
    });
    return {
      title: str(body, `${prefix}title`),
      weight: str(body, `${prefix}weight`),
      threshold: str(body, `${prefix}threshold`),
      items,
    };
  });
  return {
    name: str(body, 'name'),
    description: str(body, 'description'),
    pass_threshold: str(body, 'pass_threshold'),
    release_mode: str(body, 'release_mode') || 'on_submit',
    release_after_days: str(body, 'release_after_days'),
    disputes_enabled: str(body, 'disputes_enabled') === 'on',
    dispute_limit: str(body, 'dispute_limit'),
    dispute_window_days: str(body, 'dispute_window_days'),
    dispute_reviewer: str(body, 'dispute_reviewer') || 'supervisor',
    auto_mode: str(body, 'auto_mode') || 'off',
    sections,
  };
}

/** A rule typed as JSON: blank is none; text that is not JSON goes on as text, for the schema to refuse. */
function ruleFromText(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The draft as rubric input for validation: numbers stay strings for the schema to coerce and check. */
export function inputFromDraft(draft: RubricDraft) {
  return {
    ...draft,
    sections: draft.sections.map((s) => ({
      ...s,
      items: s.items.map((i) => ({ ...i, options: i.type === 'choice' ? i.options : [], auto: ruleFromText(i.auto) })),
    })),
  };
}

/** A stored rubric in the builder's shape. */
export function draftFromRubric(rubric: FullRubric): RubricDraft {
  return {
    name: rubric.name,
    description: rubric.description ?? '',
    pass_threshold: String(rubric.pass_threshold),
    release_mode: rubric.release_mode,
    release_after_days: rubric.release_after_days === null ? '' : String(rubric.release_after_days),
    disputes_enabled: rubric.disputes_enabled === 1,
    dispute_limit: String(rubric.dispute_limit),
    dispute_window_days: String(rubric.dispute_window_days),
    dispute_reviewer: rubric.dispute_reviewer,
    auto_mode: rubric.auto_mode,
    sections: rubric.sections.map((s) => ({
      title: s.title,
      weight: String(s.weight),
      threshold: s.threshold === null ? '' : String(s.threshold),
      items: s.items.map((i) => ({
        prompt: i.prompt,
        guidance: i.guidance ?? '',
        type: i.type,
        max: i.type === 'scale' ? String(i.max_points) : '4',
        points: i.type === 'yes_no' ? String(i.max_points) : '1',
        allow_na: i.allow_na,
        critical: i.critical,
        comment_required: i.comment_required,
        options: i.options.map((o) => ({ label: o.label, points: String(o.points) })),
        auto: i.auto ? JSON.stringify(ruleAsInput(i.auto, i)) : '',
      })),
    })),
  };
}

function move<T>(list: T[], index: number, delta: number): void {
  const target = index + delta;
  const [moving, other] = [list[index], list[target]];
  if (index < 0 || target < 0 || moving === undefined || other === undefined) return;
  [list[index], list[target]] = [other, moving];
}

/** Applies a structural button (add, remove, move). Returns false for "save"/"publish"/unknown ops. */
export function applyOp(draft: RubricDraft, op: string): boolean {
  const [verb, a = '-1', b = '-1', c = '-1'] = op.split(':');
  const [s, i, o] = [Number(a), Number(b), Number(c)];
  const section = draft.sections[s];
  const item = section?.items[i];
  switch (verb) {
    case 'add_section':
      if (draft.sections.length < MAX_SECTIONS) draft.sections.push(blankSection());
      return true;
    case 'remove_section':
      if (section) draft.sections.splice(s, 1);
      return true;
    case 'up_section':
    case 'down_section':
      move(draft.sections, s, verb === 'up_section' ? -1 : 1);
      return true;
    case 'add_item':
      if (section && section.items.length < MAX_ITEMS) section.items.push(blankItem());
      return true;
    case 'remove_item':
      if (item) section.items.splice(i, 1);
      return true;
    case 'up_item':
    case 'down_item':
      if (section) move(section.items, i, verb === 'up_item' ? -1 : 1);
      return true;
    case 'add_option':
      if (item && item.options.length < MAX_OPTIONS) item.options.push({ label: '', points: '0' });
      return true;
    case 'remove_option':
      if (item?.options[o]) item.options.splice(o, 1);
      return true;
    case 'refresh':
      return true;
    default:
      return false;
  }
}
