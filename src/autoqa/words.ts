// Words for matching: lower case, accents, punctuation and spacing ignored, numbers written either way. Each
// word keeps the character range it came from, so a match can be highlighted in the original text.

/** Words of one text: `words[i]` came from `text.slice(starts[i], ends[i])`. */
export interface Words {
  words: string[];
  starts: number[];
  ends: number[];
}

// A number with thousands separators (1,000), else a run of letters and digits with inner apostrophes (don't).
const TOKEN = /\d{1,3}(?:,\d{3})+(?!\d)|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
// Plain ASCII text (the common case) is scanned by hand, the same tokens several times faster.
const ASCII_TEXT = /^[ -~\t\n\r]*$/;

const CARDINALS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19,
}; // prettier-ignore
const TENS: Record<string, number> = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
}; // prettier-ignore
const ORDINALS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17,
  eighteenth: 18, nineteenth: 19,
}; // prettier-ignore
const TENS_ORDINALS: Record<string, number> = {
  twentieth: 20, thirtieth: 30, fortieth: 40, fiftieth: 50, sixtieth: 60, seventieth: 70, eightieth: 80,
  ninetieth: 90,
}; // prettier-ignore

const NUMBER_WORDS = new Set([
  ...Object.keys(CARDINALS),
  ...Object.keys(TENS),
  ...Object.keys(ORDINALS),
  ...Object.keys(TENS_ORDINALS),
  'hundred',
  'hundredth',
  'thousand',
  'thousandth',
]);

function lookup(table: Record<string, number>, word: string | undefined): number | undefined {
  return word !== undefined && Object.hasOwn(table, word) ? table[word] : undefined;
}

interface NumberRun {
  value: number;
  next: number;
  ordinal: boolean;
}

function ordinalSuffix(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/** The tens-and-units part at `i` ("twenty one", "twelfth", "seven"), or null. */
function belowHundred(w: string[], i: number): NumberRun | null {
  const tens = lookup(TENS, w[i]);
  if (tens !== undefined) {
    const unit = lookup(CARDINALS, w[i + 1]);
    if (unit !== undefined && unit >= 1 && unit <= 9) return { value: tens + unit, next: i + 2, ordinal: false };
    const unitOrdinal = lookup(ORDINALS, w[i + 1]);
    if (unitOrdinal !== undefined && unitOrdinal <= 9) return { value: tens + unitOrdinal, next: i + 2, ordinal: true };
    return { value: tens, next: i + 1, ordinal: false };
  }
  const tensOrdinal = lookup(TENS_ORDINALS, w[i]);
  if (tensOrdinal !== undefined) return { value: tensOrdinal, next: i + 1, ordinal: true };
  const small = lookup(CARDINALS, w[i]);
  if (small !== undefined) return { value: small, next: i + 1, ordinal: false };
  const smallOrdinal = lookup(ORDINALS, w[i]);
  return smallOrdinal === undefined ? null : { value: smallOrdinal, next: i + 1, ordinal: true };
}

/** "and" joins parts of one number only when a number word follows it ("one hundred and five"). */
function skipAnd(w: string[], i: number): number {
  return w[i] === 'and' && belowHundred(w, i + 1) !== null ? i + 1 : i;
}

/** A number below 1,000 at `i`: "[n] hundred [and] [tens units]", or null. */
function belowThousand(w: string[], i: number): NumberRun | null {
  const first = belowHundred(w, i);
  const hundredAt = first && !first.ordinal && first.value >= 1 ? first.next : w[i] === 'hundred' ? i : -1;
  const multiplier = hundredAt === i ? 1 : (first?.value ?? 0);
  if (hundredAt >= 0 && (w[hundredAt] === 'hundred' || w[hundredAt] === 'hundredth')) {
    const value = multiplier * 100;
    if (w[hundredAt] === 'hundredth') return { value, next: hundredAt + 1, ordinal: true };
    const rest = belowHundred(w, skipAnd(w, hundredAt + 1));
    return rest ? { ...rest, value: value + rest.value } : { value, next: hundredAt + 1, ordinal: false };
  }
  return first;
}

/** A number below 1,000,000 at `i` ("two thousand and twenty one"), or null. */
function numberAt(w: string[], i: number): NumberRun | null {
  const head =
    w[i] === 'thousand' || w[i] === 'thousandth' ? { value: 1, next: i, ordinal: false } : belowThousand(w, i);
  if (!head || head.ordinal || (w[head.next] !== 'thousand' && w[head.next] !== 'thousandth')) return head;
  const value = head.value * 1000;
  if (w[head.next] === 'thousandth') return { value, next: head.next + 1, ordinal: true };
  const rest = belowThousand(w, skipAnd(w, head.next + 1));
  return rest ? { ...rest, value: value + rest.value } : { value, next: head.next + 1, ordinal: false };
}

function fold(raw: string, ascii: boolean): string {
  const lower = ascii ? raw : raw.toLowerCase();
  const bare = lower.includes("'") || (!ascii && lower.includes('’')) ? lower.replace(/['’]/g, '') : lower;
  const plain = ascii ? bare : bare.normalize('NFKD').replace(/\p{M}/gu, '');
  const first = plain.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    const digits = /^(\d+)(st|nd|rd|th)?$/.exec(plain.replace(/,/g, ''));
    if (digits) return String(Number(digits[1])) + (digits[2] ?? '');
  }
  return plain;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/** Where a number with thousands separators ("1,250,000") starting at `i` ends, or -1 when there is none. */
function groupedNumberEnd(s: string, i: number): number {
  let j = i;
  while (isDigit(s.charCodeAt(j))) j += 1;
  if (j - i > 3) return -1;
  let end = -1;
  while (s.charCodeAt(j) === 44 && isDigit(s.charCodeAt(j + 1)) && isDigit(s.charCodeAt(j + 2))) {
    if (!isDigit(s.charCodeAt(j + 3))) break;
    j += 4;
    if (!isDigit(s.charCodeAt(j))) end = j;
  }
  return end;
}

/** The tokens of lower-case ASCII text, as TOKEN finds them. */
function scanAscii(s: string, raw: string[], starts: number[], ends: number[]): void {
  for (let i = 0; i < s.length;) {
    if (!isAlnum(s.charCodeAt(i))) {
      i += 1;
      continue;
    }
    const start = i;
    let end = isDigit(s.charCodeAt(i)) ? groupedNumberEnd(s, i) : -1;
    if (end < 0) {
      end = i;
      while (isAlnum(s.charCodeAt(end)) || (s.charCodeAt(end) === 39 && isAlnum(s.charCodeAt(end + 1)))) end += 1;
    }
    raw.push(fold(s.slice(start, end), true));
    starts.push(start);
    ends.push(end);
    i = end;
  }
}

/** The words of `text` with numbers written in words turned into digits ("twenty first" → "21st"). */
export function toWords(text: string): Words {
  const raw: string[] = [];
  const rawStarts: number[] = [];
  const rawEnds: number[] = [];
  // Lower-casing ASCII keeps every character where it was, so ranges still point into `text`.
  if (ASCII_TEXT.test(text)) scanAscii(text.toLowerCase(), raw, rawStarts, rawEnds);
  else {
    for (const m of text.matchAll(TOKEN)) {
      raw.push(fold(m[0], false));
      rawStarts.push(m.index);
      rawEnds.push(m.index + m[0].length);
    }
  }
  if (!raw.some((word) => NUMBER_WORDS.has(word))) return { words: raw, starts: rawStarts, ends: rawEnds };
  const out: Words = { words: [], starts: [], ends: [] };
  for (let i = 0; i < raw.length;) {
    const word = raw[i] ?? '';
    const run = NUMBER_WORDS.has(word) ? numberAt(raw, i) : null;
    const next = run ? run.next : i + 1;
    out.words.push(run ? `${run.value}${run.ordinal ? ordinalSuffix(run.value) : ''}` : word);
    out.starts.push(rawStarts[i] ?? 0);
    out.ends.push(rawEnds[next - 1] ?? 0);
    i = next;
  }
  return out;
}

/** A phrase's words, as matched against transcript lines. */
export function phraseWords(phrase: string): string[] {
  return toWords(phrase).words;
}
