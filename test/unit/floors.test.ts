// The floor plan of docs/ARCHITECTURE.md is enforced by lint: each deliberate violation below must
// fail with no-restricted-imports, and the allowed imports next to them must pass (so a rule that
// forbade everything would fail this test too). Runs ESLint with the repository's own config.

import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { REPO_ROOT } from './helpers';

const eslint = new ESLint({ cwd: REPO_ROOT });

/** The no-restricted-imports messages ESLint reports for `code` placed at `file` (repository-relative). */
async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${REPO_ROOT}/${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const use = (spec: string, name = 'x'): string => `import { ${name} } from '${spec}';\nexport const y = ${name};\n`;

describe('floors: lint rejects a cross-floor import', () => {
  const violations: [string, string, RegExp][] = [
    ['src/core/json/probe.ts', '../formats/kinds', /core\/json may import only/],
    ['src/core/formats/probe.ts', '../dataset/summary', /core\/formats may import only/],
    ['src/core/dialogue/probe.ts', '../playground/pipeline', /core\/dialogue may import only/],
    ['src/core/openai/probe.ts', '../embedded/backend', /core\/openai may import only/],
    ['src/core/dataset/worker/probe.ts', '../../../features/ctx', /imports nothing above it/],
    ['src/core/playground/probe.ts', '../../protocol/playground', /imports nothing above it/],
    ['src/core/strategies.ts', './dataset/stats', /import no core folder/],
    ['src/features/training/probe.ts', '../datasets/datasetsTree', /through its index/],
    ['src/features/probe.ts', './playground/session', /imports no feature/],
    ['webview-ui/src/viewer/probe.ts', '../../../src/core/strategies', /import only src\/protocol/],
    ['src/protocol/probe.ts', '../features/ctx', /imports neither/],
    ['src/cli/probe.ts', '../features/ctx', /stands on core/],
    ['webview-ui/src/playground/probe.ts', 'lit-html/directives/unsafe-html.js', /render data as text/],
    ['webview-ui/src/viewer/probe.ts', 'lit/directives/unsafe-html.js', /render data as text/],
    ['webview-ui/src/viewer/probe.ts', 'lit-html/static.js', /render data as text/],
  ];
  for (const [file, spec, message] of violations) {
    it(`${file} importing ${spec}`, async () => {
      const found = await restrictedImports(file, use(spec));
      assert.equal(found.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(found)}`);
      assert.match(found[0]!, message);
    });
  }

  it('vscode in core/, the CLI, protocol/ and webviews', async () => {
    for (const file of ['src/core/dataset/probe.ts', 'src/cli/probe.ts', 'src/protocol/probe.ts', 'webview-ui/src/playground/probe.ts']) {
      const found = await restrictedImports(file, "import * as vscode from 'vscode';\nexport const y = vscode;\n");
      assert.equal(found.length, 1, file);
      assert.match(found[0]!, /must not import vscode/);
    }
  });
});

describe('floors: lint accepts the imports the map allows', () => {
  const allowed: [string, string][] = [
    ['src/core/formats/probe.ts', '../json/scanner'],
    ['src/core/dataset/worker/probe.ts', '../../formats/kinds'],
    ['src/core/dataset/probe.ts', '../strategies'],
    ['src/core/playground/probe.ts', '../dialogue/requests'],
    ['src/features/training/probe.ts', '../datasets'],
    ['src/features/playground/probe.ts', '../../core/openai/config'],
    ['webview-ui/src/viewer/probe.ts', '../../../src/protocol/shared'],
    ['src/protocol/probe.ts', '../core/dataset/stats'],
  ];
  for (const [file, spec] of allowed) {
    it(`${file} importing ${spec}`, async () => {
      assert.deepEqual(await restrictedImports(file, use(spec)), []);
    });
  }
});

const foldersUnder = (dir: string): string[] =>
  readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

describe('floors: every folder is covered, a new one too', () => {
  it('each core folder is placed in CORE_FLOORS (eslint.config.mjs)', () => {
    const config = readFileSync(path.join(REPO_ROOT, 'eslint.config.mjs'), 'utf8');
    const table = /export const CORE_FLOORS = \{([^}]*)\}/.exec(config)?.[1] ?? '';
    const placed = [...table.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]);
    for (const folder of foldersUnder('src/core')) {
      assert.ok(placed.includes(folder), `src/core/${folder} is not in CORE_FLOORS: say which floors it may import (docs/ARCHITECTURE.md)`);
    }
  });

  it('each core folder, and one not yet created, may not import vscode or anything above core/', async () => {
    for (const folder of [...foldersUnder('src/core'), 'not-yet-created']) {
      const file = `src/core/${folder}/probe.ts`;
      assert.equal((await restrictedImports(file, "import * as vscode from 'vscode';\nexport const y = vscode;\n")).length, 1, file);
      assert.equal((await restrictedImports(file, use('../../features/ctx'))).length, 1, file);
    }
  });

  it("each feature folder may not reach into another feature's internals", async () => {
    const features = foldersUnder('src/features');
    assert.ok(features.length >= 3, features.join());
    for (const feature of features) {
      const other = features.find((f) => f !== feature)!;
      const file = `src/features/${feature}/probe.ts`;
      assert.equal((await restrictedImports(file, use(`../${other}/internals`))).length, 1, file);
      assert.deepEqual(await restrictedImports(file, use(`../${other}`)), [], file);
    }
  });
});
