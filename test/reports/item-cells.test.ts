import { eachItemCell, itemCells } from '../../src/reports/rollup-team-day.queries';

// The quality report and the scores API sum a roll-up row's items off its text (eachItemCell) instead of
// JSON.parse: each must read exactly what JSON.parse reads, for the text the refresh writes and for any other.

function read(text: string): number[][] {
  const cells: number[][] = [];
  eachItemCell(text, (itemId, answered, failed) => cells.push([itemId, answered, failed]));
  return cells;
}

test('the text the refresh writes (JSON.stringify of whole-number triples) reads as JSON.parse reads it', () => {
  let seed = 7;
  const next = (max: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % max;
  };
  for (let round = 0; round < 500; round += 1) {
    const cells = Array.from({ length: next(30) }, () => [
      next(10) === 0 ? 0 : next(2_000_000_000),
      next(100_000),
      next(10) === 0 ? Number.MAX_SAFE_INTEGER : next(1000),
    ]);
    const text = JSON.stringify(cells);
    expect(read(text)).toEqual(itemCells(text));
  }
  expect(read('[]')).toEqual([]);
});

test('text of any other shape is read by JSON.parse, never misread', () => {
  for (const text of [
    '[[1, 2, 3], [4, 5, 6]]',
    '[[1,2,3,9],[4,5,6,9]]',
    '[[1,2],[4,5]]',
    '[[-1,2,3]]',
    '[[1.5,2,3]]',
    '[[1e3,2,3]]',
    ' [[1,2,3]]',
  ]) {
    expect({ text, cells: read(text) }).toEqual({ text, cells: itemCells(text).map(([a, b, c]) => [a, b, c]) });
  }
  expect(() => read('[[1,2,3]')).toThrow(SyntaxError);
});
