// A small JSON Schema (2020-12) validator for the keywords the OpenAPI document uses, so tests can check real
// answers against the documented response schemas without a new dependency. A keyword it does not know is an
// error, never silently passed: a schema it cannot check fully fails the test instead.

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['description', 'default', 'title', 'examples', 'format', 'deprecated']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, wanted: unknown): boolean {
  const types = Array.isArray(wanted) ? wanted : [wanted];
  const actual = typeOf(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`Only local $ref are supported: ${ref}`);
  const target = ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
  if (!target || typeof target !== 'object') throw new Error(`$ref ${ref} points at nothing`);
  return target as Schema;
}

type Check = (value: unknown, expected: unknown, schema: Schema, path: string, root: Schema) => string[];

const nested = (value: unknown, schema: unknown, path: string, root: Schema) =>
  validate(value, schema as Schema, root, path);
const when = (ok: boolean, path: string, message: string) => (ok ? [] : [`${path || '(root)'}: ${message}`]);
const isObject = (value: unknown): value is Record<string, unknown> => typeOf(value) === 'object';

const CHECKS: Record<string, Check> = {
  $ref: (value, ref, _s, path, root) => nested(value, resolve(root, ref as string), path, root),
  type: (value, wanted, _s, path) => when(typeMatches(value, wanted), path, `is ${typeOf(value)}, not ${wanted}`),
  enum: (value, options, _s, path) =>
    when(
      (options as unknown[]).some((o) => JSON.stringify(o) === JSON.stringify(value)),
      path,
      `not in enum`,
    ),
  const: (value, wanted, _s, path) => when(JSON.stringify(value) === JSON.stringify(wanted), path, 'not the const'),
  minimum: (v, n, _s, path) => when(typeof v !== 'number' || v >= (n as number), path, `below ${n}`),
  maximum: (v, n, _s, path) => when(typeof v !== 'number' || v <= (n as number), path, `above ${n}`),
  exclusiveMinimum: (v, n, _s, path) => when(typeof v !== 'number' || v > (n as number), path, `not above ${n}`),
  exclusiveMaximum: (v, n, _s, path) => when(typeof v !== 'number' || v < (n as number), path, `not below ${n}`),
  minLength: (v, n, _s, path) => when(typeof v !== 'string' || [...v].length >= (n as number), path, 'too short'),
  maxLength: (v, n, _s, path) => when(typeof v !== 'string' || [...v].length <= (n as number), path, 'too long'),
  pattern: (v, p, _s, path) => when(typeof v !== 'string' || new RegExp(p as string, 'u').test(v), path, `not /${p}/`),
  minItems: (v, n, _s, path) => when(!Array.isArray(v) || v.length >= (n as number), path, 'too few items'),
  maxItems: (v, n, _s, path) => when(!Array.isArray(v) || v.length <= (n as number), path, 'too many items'),
  items: (v, item, _s, path, root) =>
    Array.isArray(v) ? v.flatMap((entry, i) => nested(entry, item, `${path}.${i}`, root)) : [],
  required: (v, names, _s, path) =>
    isObject(v) ? (names as string[]).flatMap((name) => when(name in v, path, `lacks ${name}`)) : [],
  properties: (v, properties, _s, path, root) =>
    isObject(v)
      ? Object.entries(properties as Record<string, unknown>).flatMap(([name, property]) =>
          name in v ? nested(v[name], property, `${path}.${name}`, root) : [],
        )
      : [],
  additionalProperties: (v, extra, schema, path, root) => {
    if (!isObject(v)) return [];
    const known = new Set(Object.keys((schema.properties ?? {}) as object));
    const others = Object.keys(v).filter((name) => !known.has(name));
    if (extra === false) return others.flatMap((name) => when(false, path, `has undocumented ${name}`));
    return extra === true ? [] : others.flatMap((name) => nested(v[name], extra, `${path}.${name}`, root));
  },
  anyOf: (v, options, _s, path, root) =>
    when(
      (options as unknown[]).some((o) => nested(v, o, path, root).length === 0),
      path,
      'matches no anyOf',
    ),
  oneOf: (v, options, _s, path, root) =>
    when((options as unknown[]).filter((o) => nested(v, o, path, root).length === 0).length === 1, path, 'not oneOf'),
  allOf: (v, parts, _s, path, root) => (parts as unknown[]).flatMap((part) => nested(v, part, path, root)),
};

/** The problems of a value against a schema (empty when it conforms); `root` resolves "#/…" references. */
export function validate(value: unknown, schema: Schema, root: Schema, path = ''): string[] {
  return Object.entries(schema).flatMap(([keyword, expected]) => {
    if (ANNOTATIONS.has(keyword)) return [];
    const check = CHECKS[keyword];
    if (!check) throw new Error(`json-schema.ts does not know the keyword "${keyword}" (at ${path || 'root'})`);
    return check(value, expected, schema, path, root);
  });
}
