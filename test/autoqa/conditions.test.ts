import { clock, evaluateCondition, type Condition } from '../../src/autoqa';
import { facts, line, said } from './builders';

// Each leaf condition on crafted calls: time windows at their exact boundaries, speaker filters, overlapping
// cues, missing facts (no answer rather than "no"), evidence times and the plain reasons.

const greeting = ['thank you for calling'];
const transcript = [
  line('agent', 0.5, 4, 'Thank you for calling Acme, this is Sam.'),
  line('customer', 3.5, 8, 'Hi Sam, thank you for calling me back.'), // overlaps the agent's line
  line('agent', 20, 24, 'May I place you on hold for two minutes?'),
  line('customer', 100, 104, 'Thanks, bye.'),
  line('agent', 101, 106.5, 'Thank you for calling, goodbye.'),
];

describe('phrase: speaker filters', () => {
  test.each([
    ['agent', [0.5, 101]],
    ['customer', [3.5]],
    ['any', [0.5, 3.5, 101]],
  ] as const)(
    '%s: evidence is every line of that speaker that says it (overlapping cues each count)',
    (speaker, starts) => {
      const result = evaluateCondition(said(greeting, { speaker }), facts(transcript));
      expect(result.value).toBe(true);
      expect(result.evidence.map((e) => e.start_s)).toEqual(starts);
    },
  );

  test('the customer saying it does not count for the agent', () => {
    const lines = [line('customer', 1, 3, 'Thank you for calling me back'), line('agent', 4, 6, 'Sure.')];
    const result = evaluateCondition(said(greeting, { speaker: 'agent' }), facts(lines));
    expect(result).toEqual({ value: false, reason: 'Agent never said “thank you for calling”', evidence: [] });
  });

  test('anyone: "No one said" and the list of alternatives', () => {
    const result = evaluateCondition(said(['refund', 'money back']), facts(transcript));
    expect(result.value).toBe(false);
    expect(result.reason).toBe('No one said any of “refund”, “money back”');
  });

  test('a reason quotes at most five phrases', () => {
    const phrases = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'].map((p) => `word ${p}`);
    const result = evaluateCondition(said(phrases, { speaker: 'customer' }), facts(transcript));
    expect(result.reason).toBe(
      'Customer never said any of “word a1”, “word b2”, “word c3”, “word d4”, “word e5” and 2 more',
    );
  });

  test('a transcript without speakers answers "anyone" conditions but not speaker-filtered ones', () => {
    const lines = [line(null, 1, 3, 'Thank you for calling')];
    expect(evaluateCondition(said(greeting), facts(lines)).reason).toBe('Someone said “thank you for calling” at 0:01');
    expect(evaluateCondition(said(greeting, { speaker: 'agent' }), facts(lines))).toEqual({
      value: null,
      reason: 'The transcript does not say who spoke',
      evidence: [],
    });
  });
});

describe('phrase: time windows (inclusive at exactly N seconds)', () => {
  const at = (start: number, end: number) => facts([line('agent', start, end, 'Thank you for calling')]);
  test.each([
    [20, 20, 25, true, 'a line starting at exactly N s counts'],
    [20, 20.001, 25, false, 'a line starting 1 ms after N s does not'],
    [20, 19, 40, true, 'a line that starts before N s and ends after it counts'],
    [0, 0, 2, true, 'within the first 0 s: only a line starting at 0'],
  ])('within_first_s %d, line at %d–%d: %s (%s)', (n, start, end, expected) => {
    expect(evaluateCondition(said(greeting, { within_first_s: n }), at(start, end)).value).toBe(expected);
  });

  // The call lasts 120 s: the last 30 s begin at 90 s.
  test.each([
    [30, 80, 90, true, 'a line ending at exactly duration − N counts'],
    [30, 80, 89.999, false, 'a line ending 1 ms earlier does not'],
    [30, 95, 100, true, 'a line inside the window counts'],
    [0, 118, 120, true, 'within the last 0 s: a line ending at the very end'],
  ])('within_last_s %d, line at %d–%d: %s (%s)', (n, start, end, expected) => {
    expect(evaluateCondition(said(greeting, { within_last_s: n }), at(start, end)).value).toBe(expected);
  });

  test('the last N s are counted from the duration even with fractions (120.3 − 20 = 100.3)', () => {
    const call = facts([line('agent', 99, 100.3, 'Thank you for calling')], { duration_s: 120.3 });
    expect(evaluateCondition(said(greeting, { within_last_s: 20 }), call).value).toBe(true);
  });

  test('without a known duration the last N s end at the transcript’s last line', () => {
    const lines = [line('agent', 50, 60, 'Thank you for calling'), line('customer', 61, 75, 'Bye')];
    const call = facts(lines, { duration_s: null });
    expect(evaluateCondition(said(greeting, { within_last_s: 15 }), call).value).toBe(true);
    expect(evaluateCondition(said(greeting, { within_last_s: 14 }), call).value).toBe(false);
  });

  test('the reason names the window and both windows must hold', () => {
    const result = evaluateCondition(said(greeting, { speaker: 'agent', within_first_s: 10 }), facts(transcript));
    expect(result.evidence.map((e) => e.start_s)).toEqual([0.5]);
    const late = evaluateCondition(
      said(['place you on hold'], { speaker: 'agent', within_first_s: 15, within_last_s: 110 }),
      facts(transcript),
    );
    expect(late.reason).toBe('Agent never said “place you on hold” in the first 15 s and in the last 110 s');
  });

  test('untimed lines (plain-text transcripts) answer a windowed condition with no answer', () => {
    const lines = [line('agent', -1, -1, 'Thank you for calling')];
    expect(evaluateCondition(said(greeting), facts(lines)).value).toBe(true);
    expect(evaluateCondition(said(greeting, { within_first_s: 30 }), facts(lines))).toEqual({
      value: null,
      reason: 'The transcript has no times',
      evidence: [],
    });
  });
});

describe('phrase: missing transcript', () => {
  test.each([
    ['null', null],
    ['empty', []],
  ])('a %s transcript gives no answer (null), not "not said"', (_, lines) => {
    expect(evaluateCondition(said(greeting), facts(lines))).toEqual({
      value: null,
      reason: 'No transcript',
      evidence: [],
    });
  });
});

describe('evidence', () => {
  test('lines carry speaker, times, text and the matched range', () => {
    const result = evaluateCondition(said(['two minutes']), facts(transcript));
    expect(result.evidence).toEqual([
      {
        kind: 'line',
        speaker: 'agent',
        start_s: 20,
        end_s: 24,
        text: 'May I place you on hold for two minutes?',
        match: { start: 28, end: 39 }, // "two minutes"
      },
    ]);
    expect(result.reason).toBe('Agent said “two minutes” at 0:20');
  });

  test('times read m:ss, then h:mm:ss, rounded down', () => {
    expect([0, 1.99, 59.999, 60, 754, 3600, 3723.5].map(clock)).toEqual([
      '0:00',
      '0:01',
      '0:59',
      '1:00',
      '12:34',
      '1:00:00',
      '1:02:03',
    ]);
  });
});

describe('dead air, overtalk and hold', () => {
  const stretches = [
    { start_s: 12, end_s: 24 },
    { start_s: 40, end_s: 50 },
    { start_s: 60, end_s: 61.5 },
  ];
  test('dead air over N s: the longest stretch in the reason, every stretch over the limit as evidence', () => {
    const result = evaluateCondition({ dead_air_over_s: 9.5 }, facts([], { dead_air: stretches }));
    expect(result.value).toBe(true);
    expect(result.reason).toBe('Dead air of 12.0 s at 0:12–0:24 (limit 9.5 s); 1 more over the limit');
    expect(result.evidence.map((e) => [e.kind, e.start_s, e.end_s])).toEqual([
      ['dead_air', 12, 24],
      ['dead_air', 40, 50],
    ]);
  });

  test('exactly N s is not over N s (compared in milliseconds)', () => {
    const exact = [{ start_s: 0.1, end_s: 10.1 }]; // 10.1 − 0.1 = 9.999999999999998 in floating point
    expect(evaluateCondition({ dead_air_over_s: 10 }, facts([], { dead_air: exact })).value).toBe(false);
    expect(evaluateCondition({ dead_air_over_s: 9.999 }, facts([], { dead_air: exact })).value).toBe(true);
  });

  test('the reason for no dead air over the limit gives the longest', () => {
    const result = evaluateCondition({ dead_air_over_s: 12 }, facts([], { dead_air: stretches }));
    expect(result).toEqual({ value: false, reason: 'No dead air over 12 s (longest 12.0 s)', evidence: [] });
    expect(evaluateCondition({ dead_air_over_s: 12 }, facts([])).reason).toBe('No dead air over 12 s');
  });

  test('overtalk over N s, and mono recordings have no overtalk figures (no answer)', () => {
    const result = evaluateCondition({ overtalk_over_s: 1 }, facts([], { overtalk: stretches.slice(2) }));
    expect(result.reason).toBe('Overtalk of 1.5 s at 1:00–1:01 (limit 1 s)');
    expect(result.evidence[0].kind).toBe('overtalk');
    expect(evaluateCondition({ overtalk_over_s: 1 }, facts([], { overtalk: null }))).toEqual({
      value: null,
      reason: 'Mono recording: no overtalk figures',
      evidence: [],
    });
  });

  test.each([
    ['pending', 'The audio is not analysed yet'],
    ['failed', 'The audio analysis failed'],
    ['no_recording', 'No recording'],
    [null, 'No audio analysis'],
  ] as const)('audio conditions give no answer when the analysis is %s', (status, reason) => {
    for (const condition of [{ dead_air_over_s: 5 }, { overtalk_over_s: 5 }] as Condition[]) {
      expect(evaluateCondition(condition, facts([], { analysis_status: status }))).toEqual({
        value: null,
        reason,
        evidence: [],
      });
    }
  });

  test.each([
    [121, true, 'On hold 121 s (limit 120 s)'],
    [120, false, 'On hold 120 s (limit 120 s)'],
    [0, false, 'No hold (limit 120 s)'],
    [null, null, 'Hold time unknown'],
  ])('hold %s s over 120 s: %s', (hold, value, reason) => {
    expect(evaluateCondition({ hold_over_s: 120 }, facts(null, { hold_s: hold }))).toEqual({
      value,
      reason,
      evidence: [],
    });
  });
});
