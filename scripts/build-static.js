// Compiles the browser's share of src/ (the score math) into static/build/, as part of `npm run build`.
// The page loads it as a classic <script>: an IIFE that defines window.ScoreMath.
// Also bundles the audio analysis worker into dist/workers/ (not served: static/ is public), so the same file
// runs under jest (whose global set-up calls this) and under `npm start`.
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');

async function buildStatic() {
  await esbuild.build({
    entryPoints: [path.join(root, 'src/scoring/score-math.ts')],
    outfile: path.join(root, 'static/build/score-math.js'),
    bundle: true,
    format: 'iife',
    globalName: 'ScoreMath',
    target: 'es2019',
    platform: 'browser',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await esbuild.build({
    entryPoints: [path.join(root, 'src/analysis/audio/worker.ts')],
    outfile: path.join(root, 'dist/workers/analyse-audio.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Loaded only for Opus's optional speech enhancement, which the analyser never asks for (8 MB).
    external: ['@wasm-audio-decoders/opus-ml'],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

module.exports = { buildStatic };

if (require.main === module) {
  buildStatic().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
