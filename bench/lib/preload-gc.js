// Bench-only, never part of the app: preloaded into a benchmark server (node --expose-gc --require this file)
// so the memory scenario can read the resident size at a fixed point, after a full garbage collection it asks
// for, rather than whenever V8's memory reducer happens to run after a quiet spell. SIGUSR2 runs two full
// collections (the second frees what the first one's finalizers released) and writes one line to stderr.
if (typeof global.gc !== 'function') {
  throw new Error('bench/lib/preload-gc.js needs node --expose-gc');
}
process.on('SIGUSR2', () => {
  global.gc();
  global.gc();
  process.stderr.write(`[bench] gc done ${process.memoryUsage().rss}\n`);
});
