// Bench-only, never part of the app: preloaded into a benchmark server (node --require this file) by
// bench/startup.ts to see which modules the start-up spends its time loading. Every require() is timed
// (inclusive), and its self time (inclusive minus the requires it made) is summed per package (a file under
// node_modules counts as its package, our own files as "app:<folder>"). When the process exits, or on SIGUSR2,
// the totals go to $REQUIRE_TIMING_OUT as JSON, with the inclusive time of each package our own code requires
// (everything that package pulled in, the first time).
const Module = require('node:module');
const fs = require('node:fs');

const out = process.env.REQUIRE_TIMING_OUT;
if (!out) throw new Error('bench/lib/preload-require-timing.js needs REQUIRE_TIMING_OUT');

const selfByPackage = new Map();
const countByPackage = new Map();
const inclusiveFromApp = new Map();
const stack = [];
const originalLoad = Module._load;

function packageOf(request, parent) {
  if (Module.isBuiltin(request)) return 'node:builtin';
  let file;
  try {
    file = Module._resolveFilename(request, parent);
  } catch {
    return `unresolved:${request}`;
  }
  if (!file.includes('/')) return 'node:builtin';
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = file.indexOf('/dist/src/');
  if (src >= 0)
    return `app:${
      file
        .slice(src + '/dist/src/'.length)
        .split('/')
        .slice(0, -1)
        .join('/') || '.'
    }`;
  return file;
}

Module._load = function timedLoad(request, parent) {
  const key = packageOf(request, parent);
  const frame = { children: 0 };
  stack.push(frame);
  const start = process.hrtime.bigint();
  try {
    return originalLoad.apply(this, arguments);
  } finally {
    const inclusive = Number(process.hrtime.bigint() - start) / 1e6;
    stack.pop();
    if (stack.length) stack[stack.length - 1].children += inclusive;
    const fromApp = parent && parent.filename && parent.filename.includes('/dist/src/');
    if (fromApp && !key.startsWith('app:') && key !== 'node:builtin') {
      inclusiveFromApp.set(key, (inclusiveFromApp.get(key) ?? 0) + inclusive);
    }
    selfByPackage.set(key, (selfByPackage.get(key) ?? 0) + inclusive - frame.children);
    countByPackage.set(key, (countByPackage.get(key) ?? 0) + 1);
  }
};

function dump() {
  const rows = [...selfByPackage.entries()]
    .map(([pkg, ms]) => ({ pkg, selfMs: Math.round(ms * 10) / 10, requires: countByPackage.get(pkg) }))
    .sort((a, b) => b.selfMs - a.selfMs);
  const packages = [...inclusiveFromApp.entries()]
    .map(([pkg, ms]) => ({ pkg, inclusiveMs: Math.round(ms * 10) / 10 }))
    .sort((a, b) => b.inclusiveMs - a.inclusiveMs);
  fs.writeFileSync(out, JSON.stringify({ uptimeMs: Math.round(process.uptime() * 1000), rows, packages }, null, 1));
}
process.on('exit', dump);
process.on('SIGUSR2', dump);
