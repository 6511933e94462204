// What-if patches, never part of the app: preloaded into a benchmark server (NODE_OPTIONS=--require this
// file) to time a one-line change without touching src/. BENCH_WHATIF lists the patches (comma-separated):
//
//   sync-normal  the database runs with `synchronous = NORMAL` where src/db/database.ts asks for FULL. In
//                WAL mode NORMAL still keeps the database consistent after a crash; a power cut can lose the
//                last commits.
//   stmt-cache   Database#prepare returns the statement it prepared before for the same SQL on the same
//                connection (Kysely's SQLite driver prepares every query anew), as a statement cache in
//                src/db/database.ts would.
//   yield-per-query
//                Kysely's SQLite driver waits for a setImmediate before taking the connection for a query
//                (or a transaction), so a loop of queries (a CSV export's pages) lets other requests in
//                between, as `await new Promise((r) => setImmediate(r))` after each page in
//                src/reports/exports.ts would.
//   export-keyset
//                the calls CSV page query is rewritten as fix R1 of bench/lib/alternatives.ts has it: from
//                the second page on, `(started_at, id) > (?, ?)` instead of `started_at >= from and
//                (started_at > ? or (started_at = ? and id > ?))`.
const fromApp = (name) => require(require.resolve(name, { paths: [process.cwd()] }));
const Database = fromApp('better-sqlite3');

const patches = new Set(
  String(process.env.BENCH_WHATIF ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);

if (patches.has('sync-normal')) {
  const pragma = Database.prototype.pragma;
  Database.prototype.pragma = function patchedPragma(source, options) {
    const text = /^\s*synchronous\s*=\s*full\s*$/i.test(String(source)) ? 'synchronous = NORMAL' : source;
    return pragma.call(this, text, options);
  };
}

if (patches.has('yield-per-query')) {
  const { SqliteDriver } = fromApp('kysely');
  const acquire = SqliteDriver.prototype.acquireConnection;
  SqliteDriver.prototype.acquireConnection = async function yieldingAcquire(...args) {
    await new Promise((resolve) => setImmediate(resolve));
    return acquire.apply(this, args);
  };
}

if (patches.has('export-keyset')) {
  const KEYSET = '("calls"."started_at" > ? or ("calls"."started_at" = ? and "calls"."id" > ?))';
  const LOWER = '"calls"."started_at" >= ? and ';
  const count = (text) => (text.match(/\?/g) || []).length;
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function rewritingPrepare(source) {
    if (typeof source !== 'string' || !source.includes(KEYSET) || !source.includes(LOWER)) {
      return prepare.call(this, source);
    }
    const j = count(source.slice(0, source.indexOf(LOWER)));
    const i = count(source.slice(0, source.indexOf(KEYSET)));
    const rewritten = source.replace(LOWER, '').replace(KEYSET, '("calls"."started_at", "calls"."id") > (?, ?)');
    const stmt = prepare.call(this, rewritten);
    // Original parameters: …, from (j), …, started (i), started (i + 1), id (i + 2), …
    const map = (params) => params.filter((_, k) => k !== j && k !== i + 1);
    return {
      reader: stmt.reader,
      get busy() {
        return stmt.busy;
      },
      all: (params) => stmt.all(map(params)),
      run: (params) => stmt.run(map(params)),
      iterate: (params) => stmt.iterate(map(params)),
    };
  };
}

if (patches.has('stmt-cache')) {
  const prepare = Database.prototype.prepare;
  const caches = new WeakMap();
  Database.prototype.prepare = function cachedPrepare(source) {
    let cache = caches.get(this);
    if (!cache) {
      cache = new Map();
      caches.set(this, cache);
    }
    let stmt = cache.get(source);
    // A statement still being iterated cannot run again: prepare a fresh one then.
    if (!stmt || stmt.busy) {
      stmt = prepare.call(this, source);
      if (cache.size > 500) cache.clear();
      cache.set(source, stmt);
    }
    return stmt;
  };
}
