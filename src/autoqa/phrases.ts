import { toWords, type Words } from './words';

// Phrase matching on whole words. With `fuzzy`, a phrase of three words or more also matches with one word
// wrong, missing or extra (speech-to-text errors); shorter phrases always match exactly, since one wrong word
// in two would match nearly anything.

export const FUZZY_MIN_WORDS = 3;

export interface PhraseMatch {
  /** Index of the phrase in the condition's list. */
  phrase: number;
  /** Character range in the line's text. */
  start: number;
  end: number;
  exact: boolean;
}

function equalAt(line: string[], at: number, phrase: string[]): boolean {
  for (let k = 0; k < phrase.length; k += 1) if (line[at + k] !== phrase[k]) return false;
  return true;
}

/** Whether line[at, at+len) is the phrase with at most one word changed, dropped or added (inside it). */
function oneEditAt(line: string[], at: number, len: number, phrase: string[]): boolean {
  const m = phrase.length;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < len && j < m) {
    if (line[at + i] === phrase[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (len === m) {
      i += 1;
      j += 1;
    } else if (len > m) {
      if (i === 0) return false;
      i += 1;
    } else j += 1;
  }
  return edits + (len - i) + (m - j) <= 1 && line[at + len - 1] !== undefined;
}

function fuzzyFind(line: string[], phrase: string[]): { at: number; len: number } | null {
  const m = phrase.length;
  const [p0, p1] = phrase;
  for (let at = 0; at + m - 1 <= line.length; at += 1) {
    // With one edit the window starts with the phrase's first word, or its second one (first word dropped) or
    // has the second word next (first word changed): anything else cannot match.
    if (line[at] !== p0 && line[at] !== p1 && line[at + 1] !== p1) continue;
    for (const len of [m, m - 1, m + 1]) {
      if (at + len <= line.length && oneEditAt(line, at, len, phrase)) return { at, len };
    }
  }
  return null;
}

function exactFind(line: string[], phrase: string[]): number {
  const first = phrase[0];
  const last = line.length - phrase.length;
  for (let at = line.indexOf(first ?? ''); at >= 0 && at <= last; at = line.indexOf(first ?? '', at + 1)) {
    if (equalAt(line, at, phrase)) return at;
  }
  return -1;
}

/** The earliest match in the line of any of the phrases (exact matches first, then fuzzy ones), or null. */
export function findPhrase(line: Words, phrases: readonly string[][], fuzzy: boolean): PhraseMatch | null {
  let best: PhraseMatch | null = null;
  for (let index = 0; index < phrases.length; index += 1) {
    const phrase = phrases[index] ?? [];
    const at = exactFind(line.words, phrase);
    if (at < 0) continue;
    const start = line.starts[at] ?? 0;
    if (best && best.start <= start) continue;
    best = { phrase: index, start, end: line.ends[at + phrase.length - 1] ?? start, exact: true };
  }
  if (best || !fuzzy) return best;
  for (let index = 0; index < phrases.length; index += 1) {
    const phrase = phrases[index] ?? [];
    const found = phrase.length < FUZZY_MIN_WORDS ? null : fuzzyFind(line.words, phrase);
    if (!found) continue;
    const start = line.starts[found.at] ?? 0;
    if (best && best.start <= start) continue;
    best = { phrase: index, start, end: line.ends[found.at + found.len - 1] ?? start, exact: false };
  }
  return best;
}

const cache = new WeakMap<object, Words[]>();

/** The words of every line of a transcript, computed once per transcript array however many rules read it. */
export function transcriptWords(lines: readonly { text: string }[]): Words[] {
  let words = cache.get(lines);
  if (!words) {
    words = lines.map((line) => toWords(line.text));
    cache.set(lines, words);
  }
  return words;
}

const phraseCache = new WeakMap<readonly string[], string[][]>();

/** The phrases' words, computed once per phrase list. */
export function phraseListWords(phrases: readonly string[]): string[][] {
  let words = phraseCache.get(phrases);
  if (!words) {
    words = phrases.map((p) => toWords(p).words);
    phraseCache.set(phrases, words);
  }
  return words;
}
