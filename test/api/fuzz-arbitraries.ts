import fc from 'fast-check';

// fast-check arbitraries for the API fuzz test (test/api/fuzz.test.ts), built from the OpenAPI document's
// parameter and request body schemas: valid values mixed with hostile ones.

export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  $ref?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

/** Real rows the fixtures built, for ids and usernames in otherwise valid requests. */
export interface Pools {
  ids: Record<string, number[]>;
  usernames: string[];
  csrUsernames: string[];
  password: string;
}

export const HUGE = 'A'.repeat(100 * 1024);
const HUGE_UNICODE = 'é😀'.repeat(12 * 1024);
/** Node refuses request lines past 16 KB before the app sees them, so query strings get a smaller "huge". */
export const LONG_QUERY = 'Q'.repeat(6 * 1024);

export const IMPOSSIBLE_DATES = [
  '2026-13-45',
  '2026-12-32',
  '2026-02-30',
  '2026-02-29',
  '2026-00-10',
  '2026-04-31',
  '0000-00-00',
  '9999-99-99',
  '2026-13-45T00:00:00Z',
  '2026-12-32T10:00:00+02:00',
  '2026-02-30T00:00:00-05:00',
  '2026-11-02T25:61:61Z',
  '2026-11-02T10:00:00+25:00',
  '+275760-09-14',
  '-000001-01-01',
  '2026-11-02T10:00:00',
  '2026-W45',
  '20261102',
  '2026/11/02',
  'yesterday',
];

export const GOOD_DATES = [
  '2026-11-02',
  '2026-01-01',
  '2026-12-31',
  '2024-02-29',
  '2026-11-02T00:00:00Z',
  '2026-11-02T10:30:00+02:00',
  '2026-11-02T23:59:59.999-05:00',
  '2026-03-08T02:30:00-05:00',
  '1970-01-01T00:00:00Z',
];

const BOUNDARY_NUMBERS: number[] = [
  0,
  -1,
  1,
  -0,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  1.5,
  0.1,
  5e-324,
];

const NUMBERISH_STRINGS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '1e309',
  '-1',
  '0x10',
  '0b11',
  '1_000',
  ' 1',
  '1 ',
  '1.0',
  '1.5',
  '01',
  '+1',
  '--1',
  '9007199254740993',
  '99999999999999999999999',
  '2147483648',
  'true',
  'false',
  'null',
  'undefined',
  '',
  ' ',
];

export const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

const WEIRD_STRINGS = [
  ...PROTO_NAMES,
  'ñandú ✓ 漢字 😀',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\u202Eevil',
  '\uD800',
  '%',
  '%00',
  '%E0%A4%A',
  "' OR 1=1 --",
  '"; DROP TABLE calls; --',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '${7*7}',
  '{{7*7}}',
  '\r\nX-Injected: 1',
  '*',
  '[object Object]',
];

/** A hostile JSON value where anything at all is expected. */
export function hostileJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<unknown>(...BOUNDARY_NUMBERS) },
    { weight: 3, arbitrary: fc.constantFrom<unknown>(...NUMBERISH_STRINGS) },
    { weight: 3, arbitrary: fc.constantFrom<unknown>(...IMPOSSIBLE_DATES) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(...GOOD_DATES) },
    { weight: 3, arbitrary: fc.constantFrom<unknown>(...WEIRD_STRINGS) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(HUGE, HUGE_UNICODE) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        null,
        true,
        false,
        [],
        {},
        [null],
        [1, 2],
        ['a'],
        [[]],
        { a: 1 },
        { id: 1 },
        protoObject({ polluted: true }),
        protoObject(null),
        { constructor: { prototype: { polluted: true } } },
      ),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** A hostile query string value (one value: strings only, arrays and objects are made by the caller). */
export function hostileQueryString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...BOUNDARY_NUMBERS.map((n) => String(n))) },
    { weight: 3, arbitrary: fc.constantFrom(...NUMBERISH_STRINGS) },
    { weight: 4, arbitrary: fc.constantFrom(...IMPOSSIBLE_DATES) },
    { weight: 2, arbitrary: fc.constantFrom(...GOOD_DATES) },
    { weight: 3, arbitrary: fc.constantFrom(...WEIRD_STRINGS) },
    { weight: 1, arbitrary: fc.constant(LONG_QUERY) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.double().map(String) },
  );
}

/** An object with an own enumerable "__proto__" key, which JSON.stringify writes out. */
export function protoObject(value: unknown, base: Record<string, unknown> = {}): Record<string, unknown> {
  const obj: Record<string, unknown> = { ...base };
  Object.defineProperty(obj, '__proto__', { value, enumerable: true, writable: true, configurable: true });
  return obj;
}

const ID_NAMES: Record<string, string> = {
  call_id: 'calls',
  rubric_id: 'rubrics',
  item_id: 'items',
  item_ids: 'items',
  course_id: 'courses',
  department_id: 'departments',
  team_id: 'teams',
  evaluator_ids: 'users',
  expert_id: 'users',
  revision: 'revisions',
};

function pick<T>(values: T[], fallback: T): fc.Arbitrary<T> {
  return values.length > 0 ? fc.constantFrom(...values) : fc.constant(fallback);
}

function isoDateTime(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...GOOD_DATES.filter((d) => d.includes('T'))),
    fc
      .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  );
}

/** A value the schema accepts (as far as a schema can say), with real ids and usernames by property name. */
export function validFor(schema: Schema | undefined, name: string, pools: Pools): fc.Arbitrary<unknown> {
  if (!schema) return fc.string({ maxLength: 10 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => validFor(s, name, pools)));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['string'];
  return fc.oneof(...types.map((type) => validForType(schema, type, name, pools)));
}

function validForType(schema: Schema, type: string, name: string, pools: Pools): fc.Arbitrary<unknown> {
  const pool = ID_NAMES[name];
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      if (pool && (pools.ids[pool]?.length ?? 0) > 0) return pick(pools.ids[pool] ?? [], 1);
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const max = schema.maximum ?? Math.max(min + 100, 100);
      return fc.integer({ min, max });
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? 0;
      const max = schema.maximum ?? min + 1000;
      return fc.oneof(
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
        fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
      );
    }
    case 'array': {
      if (name === 'agents') return fc.subarray(pools.csrUsernames, { minLength: 1 });
      if (name === 'supervisors') return fc.subarray(pools.usernames, { maxLength: 2 });
      const item = validFor(schema.items, pool ? name.replace(/s$/, '') : name, pools);
      const itemArb = pool && (pools.ids[pool]?.length ?? 0) > 0 ? pick(pools.ids[pool] ?? [], 1) : item;
      return fc.array(itemArb, { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, 3) });
    }
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const entries: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) {
        const arb = validFor(sub, key, pools);
        entries[key] = required.has(key) ? arb : fc.option(arb, { nil: undefined, freq: 2 });
      }
      return fc.record(entries).map((rec) => {
        const out: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(rec)) if (value !== undefined) out[key] = value;
        return out;
      });
    }
    default: {
      if (['agent', 'manager', 'username'].includes(name)) return pick(pools.usernames, 'nobody');
      if (name === 'password') return fc.oneof(fc.constant(pools.password), fc.string({ minLength: 8, maxLength: 20 }));
      if (schema.format === 'date') return fc.constantFrom(...GOOD_DATES.filter((d) => !d.includes('T')));
      if (schema.format === 'date-time' || /_at$/.test(name)) return isoDateTime();
      if (name === 'from' || name === 'to') return fc.constantFrom(...GOOD_DATES);
      const minLength = schema.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.min(Math.max(minLength, 1) + 20, schema.maxLength ?? 40) });
    }
  }
}

/** Every place in a body schema a mutation can aim at: ["answers", 0, "value"] and so on (depth ≤ 3). */
export function bodyPaths(schema: Schema | undefined, depth = 0): Array<Array<string | number>> {
  if (!schema || depth > 3) return [];
  const out: Array<Array<string | number>> = [];
  const branches = schema.oneOf ?? [schema];
  for (const branch of branches) {
    for (const [key, sub] of Object.entries(branch.properties ?? {})) {
      out.push([key]);
      for (const rest of bodyPaths(sub, depth + 1)) out.push([key, ...rest]);
    }
    if (branch.items) {
      out.push([0]);
      for (const rest of bodyPaths(branch.items, depth + 1)) out.push([0, ...rest]);
    }
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Sets (or with `undefined`, deletes) the value at `path`, making containers on the way. */
export function setAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: Record<string | number, unknown> =
    root !== null && typeof root === 'object'
      ? (structuredClone(root) as Record<string | number, unknown>)
      : typeof head === 'number'
        ? ([] as unknown as Record<number, unknown>)
        : {};
  const next = setAt(container[head], rest, value);
  if (next === undefined && rest.length === 0) {
    delete container[head];
  } else {
    Object.defineProperty(container, head, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return container;
}

/** Shows a value for a report: huge strings shortened to what they were made of. */
export function shorten(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= 160) return text;
  return `${text.slice(0, 60)}…(${text.length} chars)…${text.slice(-20)}`;
}
