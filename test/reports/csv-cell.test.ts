import fc from 'fast-check';
import { csvCell } from '../../src/lib/csv';

// Numbers are written without String() (see numberText in budget.routes.ts): the cell must be exactly the
// one their String() text would give, formula guard and quoting included.
describe('csvCell on numbers', () => {
  test('any finite number gives the cell of its String() text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => csvCell(n) === csvCell(String(n))),
      { numRuns: 20_000 },
    );
    fc.assert(fc.property(fc.integer(), (n) => csvCell(n) === csvCell(String(n))));
  });

  test.each([
    [0, '0'],
    [-0, '0'],
    [43.7, '43.7'],
    [-59.4, '-59.4'],
    [1e21, '1e+21'],
    [-1e-7, "'-1e-7"],
    [0.1 + 0.2, '0.30000000000000004'],
  ])('%p is written %p', (n, cell) => {
    expect(csvCell(n)).toBe(cell);
  });

  test('NaN and infinities keep their String() text', () => {
    expect([NaN, Infinity, -Infinity].map(csvCell)).toEqual(['NaN', 'Infinity', "'-Infinity"]);
  });
});
