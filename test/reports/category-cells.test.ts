import { categoryCells, eachCategoryCell } from '../../src/reports/rollup-team-day.queries';

// The customers report sums a roll-up row's categories off its text (eachCategoryCell) instead of JSON.parse:
// it must read exactly what JSON.parse reads, for the text the refresh writes and for any other.

type Cell = [string, number, number, number, number];

function read(text: string): Cell[] {
  const cells: Cell[] = [];
  eachCategoryCell(text, (...cell) => cells.push(cell));
  return cells;
}

const NAMES = [
  'billing',
  '(none)',
  'general enquiry',
  'réclamation',
  '退货',
  'a,b]c',
  '[x]',
  '',
  'emoji 📞',
  'tab\tin',
];

test('the text the refresh writes (JSON.stringify of its cells) reads as JSON.parse reads it', () => {
  let seed = 11;
  const next = (max: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % max;
  };
  let scanned = 0;
  for (let round = 0; round < 500; round += 1) {
    const cells: Cell[] = Array.from({ length: next(12) }, () => {
      const scored = next(5) === 0 ? 0 : next(5000);
      const total = [0, 100 * scored, (scored * 7919) / 97, Math.PI * 1e6, 1e21, 1e-7][next(6)]!;
      return [
        NAMES[next(NAMES.length)]!,
        next(100_000),
        next(10) === 0 ? 999_999_999_999_999 : next(6000),
        scored,
        total,
      ];
    });
    const text = JSON.stringify(cells);
    expect(read(text)).toEqual(categoryCells(text));
    if (!/e|\\/.test(text)) scanned += 1;
  }
  // Most rounds are of the shape the scanner reads itself (no exponent, no escaped character).
  expect(scanned).toBeGreaterThan(100);
  expect(read('[]')).toEqual([]);
});

test('text of any other shape is read by JSON.parse, never misread', () => {
  for (const text of [
    '[["a", 1, 2, 3, 4.5]]',
    '[["a",1,2,3]]',
    '[["a",1,2,3,4,5]]',
    '[["a\\"b",1,2,3,4]]',
    '[["a\\\\",1,2,3,4]]',
    '[["a",-1,2,3,4]]',
    '[["a",1.5,2,3,4]]',
    '[["a",1,2,3,-4]]',
    '[["a",1,2,3,4e2]]',
    '[["a",1,2,3,"4"]]',
    '[["a",1,2,3,null]]',
    '[["a",1234567890123456,2,3,4]]',
    ' [["a",1,2,3,4]]',
  ]) {
    // As the report's loop read JSON.parse's cells: their first five fields.
    const parsed = categoryCells(text).map((cell) => cell.slice(0, 5));
    expect({ text, cells: read(text) }).toEqual({ text, cells: parsed });
  }
  expect(() => read('[["a",1,2,3,4]')).toThrow(SyntaxError);
});
