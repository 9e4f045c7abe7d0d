// Builds the shipped bundles with esbuild: the extension (CommonJS, `vscode` external), the `esc`
// CLI, and the webview front-end (browser IIFE, its own entry and tsconfig).
import * as esbuild from 'esbuild';
import { readFileSync, mkdirSync, chmodSync, writeFileSync, cpSync, rmSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { ESC_VERSION: JSON.stringify(pkg.version) },
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // onnxruntime-node is a native module: required at run time, on first use (never at activation)
    external: ['vscode', 'onnxruntime-node'],
  },
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    external: ['onnxruntime-node'],
    target: 'node20', // src/cli.ts starts with the #! line; esbuild keeps it
  },
  {
    ...common,
    entryPoints: ['src/core/dataset/worker/main.ts'],
    outfile: 'dist/datasetWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/core/eval/evalWorker.ts'],
    outfile: 'dist/evalWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/core/embedded/trainWorker.ts'],
    outfile: 'dist/trainWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/core/runs/inferWorker.ts'],
    outfile: 'dist/inferWorker.js',
    platform: 'node',
    format: 'cjs',
    external: ['onnxruntime-node'],
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/core/runs/mineWorker.ts'],
    outfile: 'dist/mineWorker.js',
    platform: 'node',
    format: 'cjs',
    external: ['onnxruntime-node'],
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/core/prepare/prepareWorker.ts'],
    outfile: 'dist/prepareWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/core/dataset/worker/tasks.ts'],
    outfile: 'dist/tasksWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    // the full pass's worker threads (analyzeFile shares large files with them): found beside the bundle that starts them
    entryPoints: ['src/core/dataset/passWorker.ts'],
    outfile: 'dist/passWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/viewer/main.ts'],
    outfile: 'dist/webview/viewer.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview-ui/tsconfig.json',
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/runPage/main.ts'],
    outfile: 'dist/webview/runPage.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview-ui/tsconfig.json',
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/playground/main.ts'],
    outfile: 'dist/webview/playground.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview-ui/tsconfig.json',
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/comparison/main.ts'],
    outfile: 'dist/webview/comparison.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview-ui/tsconfig.json',
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/review/main.ts'],
    outfile: 'dist/webview/review.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview-ui/tsconfig.json',
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/mining/main.ts'],
    outfile: 'dist/webview/mining.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview-ui/tsconfig.json',
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/preflight/main.ts'],
    outfile: 'dist/webview/preflight.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview-ui/tsconfig.json',
  },
];

mkdirSync('dist', { recursive: true });
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[build] watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
  // the experiment file's JSON schema, from the zod schema (one definition)
  writeFileSync('media/esc-experiment.schema.json', execFileSync(process.execPath, ['dist/cli.js', 'schema']));
  // the Playground's default embedded models, trained deterministically from our own demo/ data: the
  // demo file's dialogues and the larger hand-written corpus in demo/sources/dialogues/, as one file
  const corpus = [
    'demo/data/esconv_demo.json',
    ...readdirSync('demo/sources/dialogues')
      .sort()
      .map((f) => `demo/sources/dialogues/${f}`),
  ];
  const dialogues = corpus.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')));
  writeFileSync('dist/demo-corpus.json', JSON.stringify(dialogues));
  execFileSync(
    process.execPath,
    [
      'dist/cli.js',
      'train-embedded',
      '--train',
      'dist/demo-corpus.json',
      '--pref',
      'demo/data/pref_planner_demo.json',
      '--out',
      'dist/models/default',
      '--json',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // the manifest names the training file, demo-corpus.json, which is ours and not shipped: it also says
  // what that file is, which the Playground shows instead of the name (modelFolder.ts, training.about)
  const manifestFile = 'dist/models/default/manifest.json';
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.training.about = `the demo corpus: ${dialogues.length} dialogues written for ESC Studio`;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  if (production) vendorOnnxRuntime();
  console.log(`[build] done in ${Date.now() - started} ms`);
}

/**
 * The VSIX carries no node_modules (bundles only), but onnxruntime-node is native and stays
 * external: copy it, with this platform's binaries only, next to the bundles that require it.
 */
function vendorOnnxRuntime() {
  const dest = 'dist/node_modules';
  rmSync(dest, { recursive: true, force: true });
  const ortNode = 'node_modules/onnxruntime-node';
  const bin = `bin/napi-v6/${process.platform}/${process.arch}`;
  for (const part of ['package.json', 'dist', bin]) cpSync(`${ortNode}/${part}`, `${dest}/onnxruntime-node/${part}`, { recursive: true });
  for (const part of ['package.json', 'dist']) {
    cpSync(`node_modules/onnxruntime-common/${part}`, `${dest}/onnxruntime-common/${part}`, { recursive: true });
  }
  // source maps and type declarations are not needed at run time
  const prune = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) prune(p);
      else if (/\.(map|d\.ts|ts)$/.test(e.name)) rmSync(p);
    }
  };
  prune(dest);
}
