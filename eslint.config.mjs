// ESLint flat config: typescript-eslint's recommended rules plus the house's floor plan, enforced
// with `no-restricted-imports` (docs/ARCHITECTURE.md draws the same map):
// - core/ imports nothing above it (no vscode, features, protocol, CLI or webview code), and each
//   core folder imports only the floors listed under it in CORE_FLOORS;
// - a feature imports another feature only through its index (never its internals);
// - webview-ui/ imports only src/protocol/ (which re-exports the few core facts it needs).
// test/unit/floors.test.ts lints deliberate violations and checks that each one fails.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { readdirSync } from 'node:fs';

/** Each core folder and the core folders it may import. The top-level files (strategies, prompts) are open to all. */
export const CORE_FLOORS = {
  util: [],
  json: [],
  eval: ['json', 'util'],
  formats: ['json'],
  convert: ['formats'],
  dataset: ['json', 'formats', 'eval', 'util'],
  dialogue: ['convert', 'formats'],
  openai: ['dialogue', 'formats'],
  embedded: ['json', 'formats', 'convert', 'dialogue', 'eval', 'util'],
  training: ['json', 'formats', 'util'],
  playground: ['formats', 'convert', 'dialogue'],
  runs: ['json', 'formats', 'dialogue', 'openai', 'embedded', 'eval', 'util'],
  prepare: ['json', 'formats', 'convert', 'runs', 'training', 'util'],
  serve: ['training', 'util'],
};
const CORE_FOLDERS = Object.keys(CORE_FLOORS);
/** Every feature folder, read from the tree, so a new feature gets the rule without an edit here. */
const FEATURES = readdirSync(new URL('./src/features/', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
/** What lies above core/ (relative to a file anywhere under src/core/). */
const ABOVE_CORE = ['features', 'protocol', 'cli', 'cli.ts', 'extension', 'webview-ui'];

const either = (names) => names.map((n) => n.replace(/\./g, '\\.')).join('|');
/** A relative import that climbs out of its folder into one of `names`. */
const upInto = (names) => `^(\\.\\./)+(${either(names)})(/|$)`;

const restrict = (patterns, extraPaths = []) => ({
  'no-restricted-imports': ['error', { paths: extraPaths, patterns }],
});
const NO_VSCODE = {
  name: 'vscode',
  message:
    'core/, the CLI, protocol/ and webviews must not import vscode (core/ is shared with the esc CLI and unit-tested without an editor).',
};

const coreRules = CORE_FOLDERS.map((folder) => {
  const forbidden = CORE_FOLDERS.filter((f) => f !== folder && !CORE_FLOORS[folder].includes(f));
  const patterns = [{ regex: upInto(ABOVE_CORE), message: 'core/ imports nothing above it (features/, protocol/, the CLI, webviews).' }];
  if (forbidden.length > 0) {
    patterns.push({
      regex: upInto(forbidden),
      message: `core/${folder} may import only ${['strategies', 'prompts', ...CORE_FLOORS[folder]].join(', ')} (see CORE_FLOORS in eslint.config.mjs and docs/ARCHITECTURE.md).`,
    });
  }
  return { files: [`src/core/${folder}/**/*.ts`], rules: restrict(patterns, [NO_VSCODE]) };
});

const featureRules = FEATURES.map((feature) => ({
  files: [`src/features/${feature}/**/*.ts`],
  rules: restrict([
    {
      regex: `^(\\.\\./)+(${either(FEATURES.filter((f) => f !== feature))})/`,
      message: 'A feature imports another feature only through its index (e.g. ../datasets), never its internals.',
    },
  ]),
}));

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.tools/**', 'node_modules/**', 'test-results/**', 'webview-ui/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
  {
    // Any core folder, including one not yet in CORE_FLOORS (test/unit/floors.test.ts fails until it is added there).
    files: ['src/core/**/*.ts'],
    rules: restrict(
      [{ regex: upInto(ABOVE_CORE), message: 'core/ imports nothing above it (features/, protocol/, the CLI, webviews).' }],
      [NO_VSCODE],
    ),
  },
  {
    // the floor under every folder: strategies.ts, prompts.ts
    files: ['src/core/*.ts'],
    rules: restrict(
      [
        { regex: upInto(ABOVE_CORE), message: 'core/ imports nothing above it.' },
        { regex: `^\\./(${either(CORE_FOLDERS)})(/|$)`, message: 'The shared facts (strategies, prompts) import no core folder.' },
      ],
      [NO_VSCODE],
    ),
  },
  ...coreRules,
  {
    files: ['src/cli.ts', 'src/cli/**/*.ts'],
    rules: restrict(
      [
        { regex: upInto(['features', 'protocol', 'webview-ui']), message: 'The CLI stands on core/ alone.' },
        { regex: '^\\./(features|protocol)(/|$)', message: 'The CLI stands on core/ alone.' },
      ],
      [NO_VSCODE],
    ),
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: restrict(
      [
        {
          regex: upInto(['features', 'cli', 'cli.ts', 'extension', 'webview-ui']),
          message: 'protocol/ sits between core/ and the two sides that talk (features/, webview-ui/); it imports neither.',
        },
      ],
      [NO_VSCODE],
    ),
  },
  {
    files: ['src/features/*.ts'],
    rules: restrict([
      {
        regex: `^\\./(${either(FEATURES)})(/|$)`,
        message: "The features' shared glue (ctx, config, webviewHtml, targetFile) imports no feature.",
      },
    ]),
  },
  ...featureRules,
  {
    files: ['webview-ui/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      [
        {
          regex: '^(\\.\\./)+src/(?!protocol/)',
          message: 'Webviews import only src/protocol/ (re-export what they need there, e.g. protocol/shared.ts).',
        },
        {
          regex: '^lit(-html)?/(directives/unsafe-|static)',
          message: 'Webviews render data as text: no unsafeHTML / unsafeSVG / unsafeStatic.',
        },
      ],
      [NO_VSCODE],
    ),
  },
);
