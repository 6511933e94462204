// What-if patches, never part of the app: preloaded into a benchmark server (NODE_OPTIONS=--require this
// file) to time a one-line change without touching src/. BENCH_WHATIF lists the patches (comma-separated):
//
//   sync-normal  the database runs with `synchronous = NORMAL` where src/db/database.ts asks for FULL. In
//                WAL mode NORMAL still keeps the database consistent after a crash; a power cut can lose the
//                last commits.
//   stmt-cache   Database#prepare returns the statement it prepared before for the same SQL on the same
//                connection (Kysely's SQLite driver prepares every query anew), as a statement cache in
//                src/db/database.ts would.
const Database = require(require.resolve('better-sqlite3', { paths: [process.cwd()] }));

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
