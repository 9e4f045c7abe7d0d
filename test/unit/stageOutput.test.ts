// Why a stage failed: its script copies what it prints into esc-run.log (checked in real bash: the CLI
// is still exec'd, its exit code is the script's, a missing CLI leaves bash's own "not found"), and the
// last lines of that file as the Runs view and the run page show them.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { outputTail, readOutputTail } from '../../src/core/training/runLog';
import { OUTPUT_LOG, PID_FILE } from '../../src/core/training/scripts';
import { endingOf, newStageRun } from '../../src/core/training/stageRuns';
import { loadExperiment, planTrainConfig, writeGeneratedFiles } from '../../src/core/training/trainConfig';
import { REPO_ROOT, tempDir } from './helpers';

/** The demo experiment's planner SFT stage, written with `cli`, run in bash with PATH limited to the system's. */
async function runPlannerSft(dir: string, cli?: string): Promise<{ status: number | null; outputDir: string; stdout: string }> {
  cpSync(path.join(REPO_ROOT, 'demo'), dir, { recursive: true });
  const plan = await planTrainConfig(await loadExperiment(path.join(dir, 'esc-experiment.yaml')), {
    outDir: path.join(dir, 'configs'),
    cli,
  });
  await writeGeneratedFiles(plan.files);
  const files = plan.stageFiles['planner-sft']!;
  const r = spawnSync('bash', [files.script], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir } });
  return { status: r.status, outputDir: files.outputDir, stdout: r.stdout };
}

describe('stage output in real bash', () => {
  it('a missing CLI: exit code 127 and bash\'s "not found" in esc-run.log (and still on the terminal)', async () => {
    const t = tempDir();
    try {
      const { status, outputDir, stdout } = await runPlannerSft(path.join(t.dir, 'demo'));
      assert.equal(status, 127);
      const tail = await readOutputTail(outputDir);
      assert.ok(tail, 'esc-run.log was written');
      assert.match(tail.at(-1)!, /exec: llamafactory-cli: not found/);
      assert.match(stdout, /exec: llamafactory-cli: not found/, 'the terminal shows it too');
      const run = { ...newStageRun(path.join(t.dir, 'demo', 'esc-experiment.yaml'), 'planner-sft', outputDir), status: 'failed' as const };
      const ending = endingOf({ ...run, exitCode: status!, output: tail });
      assert.equal(ending.exit, 'exit code 127 (command not found)');
      assert.match(ending.lines.at(-1)!, /exec: llamafactory-cli: not found/);
    } finally {
      t.dispose();
    }
  });

  it("the CLI is exec'd (it has the pid of the pid file), its exit code is the script's, stdout and stderr are both kept", async () => {
    const t = tempDir();
    try {
      const cli = t.write(
        'fake-cli',
        '#!/usr/bin/env bash\nprintf "%s\\n" "$$" > "$HOME/cli.pid"\necho "loading model"\necho "CUDA error: no kernel image" >&2\nexit 3\n',
      );
      spawnSync('chmod', ['+x', cli]);
      const dir = path.join(t.dir, 'demo');
      const { status, outputDir } = await runPlannerSft(dir, cli);
      assert.equal(status, 3);
      assert.equal(readFileSync(path.join(dir, 'cli.pid'), 'utf8'), readFileSync(path.join(outputDir, PID_FILE), 'utf8'));
      assert.deepEqual(await readOutputTail(outputDir), ['loading model', 'CUDA error: no kernel image']);
    } finally {
      t.dispose();
    }
  });
});

describe('output tail', () => {
  it("drops colour codes and blank lines, keeps a progress bar's last state, and the last lines only", () => {
    const text =
      '\x1b[32mINFO\x1b[0m start\n\n  0%|    | 0/10\r 50%|##  | 5/10\r100%|####| 10/10\r\nTraceback (most recent call last):\n  File "x.py"\nValueError: bad\n';
    assert.deepEqual(outputTail(text), [
      'INFO start',
      '100%|####| 10/10',
      'Traceback (most recent call last):',
      '  File "x.py"',
      'ValueError: bad',
    ]);
    assert.deepEqual(outputTail(text, 2), ['  File "x.py"', 'ValueError: bad']);
  });

  it('reads only the end of a large log (its first, partial line dropped); none when there is no log', async () => {
    const t = tempDir();
    try {
      const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} é${'é'.repeat(i % 7)}`);
      writeFileSync(path.join(t.dir, OUTPUT_LOG), lines.join('\n') + '\n');
      assert.deepEqual(await readOutputTail(t.dir), lines.slice(-12));
      assert.deepEqual(await readOutputTail(t.dir, 3), lines.slice(-3));
      assert.equal(await readOutputTail(path.join(t.dir, 'nothing here')), undefined);
    } finally {
      t.dispose();
    }
  });
});
