import { evaluateCondition, phraseWords, toWords } from '../../src/autoqa';
import { facts, line, said } from './builders';

// How phrases match transcript lines: case, punctuation, spacing and accents ignored, whole words only,
// numbers written either way, and the optional one-wrong-word tolerance.

const matches = (phrase: string, text: string, fuzzy = false) =>
  evaluateCondition(said([phrase], { fuzzy }), facts([line('agent', 1, 4, text)])).value;

describe('words', () => {
  test.each([
    ['Thank you for calling ACME!', 'thank you for calling acme'],
    ['  thank-you,   FOR\tcalling ', 'thank you for calling'],
    ["It's Café Zoë", 'its cafe zoe'],
    ['twelve', '12'],
    ['twenty one / twenty-one / 21', '21 21 21'],
    ['one hundred and five', '105'],
    ['nine hundred ninety nine', '999'],
    ['two thousand and twenty six', '2026'],
    ['1,250 and one thousand two hundred fifty', '1250 and 1250'],
    ['the twenty first, 21st, the 1ST and first', 'the 21st 21st the 1st and 1st'],
    ['twelfth and twentieth', '12th and 20th'],
    ['one two three four', '1 2 3 4'],
    ['nineteen ninety', '19 90'],
    ['zero and 007', '0 and 7'],
    ['1234,567 / 12,3456 / 1,000,0000', '1234 567 12 3456 1000 0'],
    ['bread and butter', 'bread and butter'],
  ])('%j → %j', (text, words) => {
    expect(toWords(text).words.join(' ')).toBe(words);
  });

  test('each word keeps the characters it came from (a number in words spans all of them)', () => {
    const text = 'Call me at twenty-one, OK?';
    const words = toWords(text);
    expect(words.words).toEqual(['call', 'me', 'at', '21', 'ok']);
    expect(text.slice(words.starts[3], words.ends[3])).toBe('twenty-one');
    expect(text.slice(words.starts[4], words.ends[4])).toBe('OK');
  });

  test('a phrase made of punctuation has no words', () => {
    expect(phraseWords(' ?! -- ')).toEqual([]);
  });
});

describe('exact phrase matching', () => {
  test.each([
    ['thank you for calling', 'THANK YOU, for calling Acme.', true],
    ['thank you for calling', 'Thank you for... calling!', true],
    ['thank you for calling', 'thank you for not calling', false],
    ['hold', 'Please hold on', true],
    ['hold', 'I am a householder', false],
    ['hold', 'on hold.', true],
    ['cancel', 'I want to cancel.', true],
    ['cancel', 'Cancellation fee', false],
    ['twelve dollars', 'That is $12 dollars', true],
    ['12 dollars', 'that is twelve dollars', true],
    ['twenty one days', 'within 21 days', true],
    ['21 days', 'within twenty-one days', true],
    ['999', 'nine hundred and ninety-nine', true],
    ['the first of may', 'the 1st of May', true],
    ['two days', 'twenty two days', false],
    ["don't", 'I dont know', true],
  ])('%j in %j: %s', (phrase, text, expected) => {
    expect(matches(phrase, text)).toBe(expected);
  });

  test('the match is the earliest in the line and its characters are highlighted', () => {
    const text = 'Sure! Thanks for calling, and thank you for calling again.';
    const result = evaluateCondition(
      said(['thank you for calling', 'thanks for calling']),
      facts([line('agent', 3, 9, text)]),
    );
    const evidence = result.evidence[0];
    expect(evidence.kind).toBe('line');
    if (evidence.kind !== 'line') return;
    expect(text.slice(evidence.match.start, evidence.match.end)).toBe('Thanks for calling');
    expect(result.reason).toBe('Agent said “thanks for calling” at 0:03');
  });
});

describe('one wrong word (fuzzy, off by default)', () => {
  const phrase = 'thank you for calling';
  test.each([
    ['thank you for colling', true, 'one word changed'],
    ['thank you calling', true, 'one word missing'],
    ['thank you so for calling', true, 'one word added inside'],
    ['thank you fore colling', false, 'two words changed'],
    ['thank you for', true, 'the last word missing'],
    ['thanks you fir calling', false, 'two words changed'],
  ])('%j: %s (%s)', (text, expected) => {
    expect(matches(phrase, text, true)).toBe(expected);
    expect(matches(phrase, text, false)).toBe(false);
  });

  test('phrases of one or two words never match loosely', () => {
    expect(matches('thank you', 'thank god', true)).toBe(false);
    expect(matches('cancel', 'cancer', true)).toBe(false);
  });

  test('the reason says what was heard when the match was loose', () => {
    const result = evaluateCondition(
      said([phrase], { fuzzy: true, speaker: 'agent' }),
      facts([line('agent', 65, 70, 'Thank you for colling Acme')]),
    );
    expect(result.value).toBe(true);
    expect(result.reason).toBe('Agent said “thank you for calling” (heard “Thank you for colling”) at 1:05');
  });

  test('each line is matched on its own: a loose match and a later exact one are both evidence', () => {
    const lines = [line('agent', 1, 3, 'thank you for colling'), line('agent', 5, 7, 'thank you for calling')];
    const result = evaluateCondition(said([phrase], { fuzzy: true }), facts(lines));
    expect(result.evidence.map((e) => e.start_s)).toEqual([1, 5]);
  });
});

describe('the fast ASCII scanner', () => {
  test('finds the same words as the general pattern on 20,000 random ASCII strings', () => {
    const general = /\d{1,3}(?:,\d{3})+(?!\d)|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
    const alphabet = "1,0,9 a'Z."; // digits and commas often, to try the thousands separators
    let seed = 16;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const mismatches: string[] = [];
    for (let k = 0; k < 20000; k += 1) {
      let text = '';
      const length = Math.floor(random() * 16);
      for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(random() * alphabet.length)];
      const words = toWords(text);
      const expected = [...text.toLowerCase().matchAll(general)].map((m) => `${m.index}-${m.index + m[0].length}`);
      const found = words.starts.map((start, i) => `${start}-${words.ends[i]}`);
      if (expected.join() !== found.join()) mismatches.push(text);
    }
    expect(mismatches).toEqual([]);
  });
});
