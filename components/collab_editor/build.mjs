// Rebuilds dist/ from the lock file: `npm ci && npm run build`. esbuild output is deterministic for a
// given esbuild version and input tree, so the committed dist/ is reproduced bit for bit.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', target: 'es2020' };

// The editor bundle, an ES module imported through NiceGUI's `esm=` importmap entry.
await build({
  ...common,
  entryPoints: { index: 'src/index.js' },
  outdir: 'dist',
  format: 'esm',
  loader: { '.ttf': 'file' },
  assetNames: '[name]',
});

// Monaco's workers, whose URLs MonacoEnvironment.getWorkerUrl gives (src/view.js).
await build({
  ...common,
  entryPoints: {
    'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'ts.worker': 'monaco-editor/esm/vs/language/typescript/ts.worker.js', // JavaScript and TypeScript models only
  },
  outdir: 'dist',
  format: 'iife',
});
