import fc from 'fast-check';
import { computeScore, type ScoredRubric } from '../../src/scoring/score';
import { caseModel, rubricCase } from '../helpers/scoring';

// DOMAIN.md, score math rule 5: the overall score is computed from exact section values and rounded only when
// stored or shown, never from section values already rounded to 6 decimals.

const rubric: ScoredRubric = {
  pass_threshold: 75,
  sections: [
    {
      id: 1,
      title: 'Greeting',
      weight: 1,
      threshold: null,
      items: [{ id: 11, type: 'yes_no', max_points: 1, critical: false, options: [] }],
    },
    {
      id: 2,
      title: 'Policy',
      weight: 2,
      threshold: null,
      items: [{ id: 21, type: 'scale', max_points: 3, critical: false, options: [] }],
    },
  ],
};

test('sections 0/1 (weight 1) and 2/3 (weight 2) store 44.444444, not 44.444445 from a rounded 66.666667', () => {
  const result = computeScore(rubric, { 11: 'no', 21: 2 });
  expect(result.sections.map((s) => s.score)).toEqual([0, 66.666667]);
  expect(result.raw_score).toBe(44.444444);
  expect(result.score).toBe(44.444444);
});

test('a must-pass section is judged on its exact value: 2/3 is below a threshold of 66.6666667', () => {
  const strict = structuredClone(rubric);
  const policy = strict.sections[1];
  if (!policy) throw new Error('the fixture has two sections');
  policy.threshold = 66.6666667;
  const result = computeScore(strict, { 11: 'yes', 21: 2 });
  expect(result.sections[1]?.below_threshold).toBe(true);
  expect(result.passed).toBe(false);
});

test('property: the raw score is the exact weighted mean of exact section values, rounded once', () => {
  fc.assert(
    fc.property(rubricCase, (c) => {
      const { rubric: model, answers } = caseModel(c);
      const result = computeScore(model, answers);
      let weighted = 0;
      let weights = 0;
      for (const section of result.sections) {
        if (!section.included) continue;
        weighted += ((100 * section.earned) / section.max) * section.weight;
        weights += section.weight;
      }
      const expected = weights > 0 ? Math.round((weighted / weights) * 1e6) / 1e6 : null;
      expect(result.raw_score).toBe(expected);
    }),
    { numRuns: 500, seed: 20261203 },
  );
});
