import { keysetPage } from '../../src/lib/pages';

const rows = [{ id: 9 }, { id: 7 }, { id: 4 }];

test('a page read one row past the limit shows the limit and names its last row for the next page', () => {
  expect(keysetPage(rows, 2)).toEqual({ items: [{ id: 9 }, { id: 7 }], last: { id: 7 } });
});

test('a page that came short or exactly full is the final page', () => {
  expect(keysetPage(rows, 3)).toEqual({ items: rows, last: undefined });
  expect(keysetPage(rows, 5)).toEqual({ items: rows, last: undefined });
  expect(keysetPage([], 5)).toEqual({ items: [], last: undefined });
});
