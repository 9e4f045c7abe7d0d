// A served role's processes without VS Code: the wrapper Serve Stages runs each serve script through
// (group pid, output, exit status beside the script; run by real bash in its own process group, as a
// terminal's interactive shell runs it), process-group liveness as Stop Serving checks it, a log's
// last lines, and a Slurm job's output file.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { groupAlive, processAlive, stopGroup } from '../../src/core/util/processGroup';
import { logTail, runningWrapper, serverFiles, slurmOutputFile, wrapperArgv } from '../../src/core/serve/serverProcess';
import { tempDir } from './helpers';

/** Runs the wrapper as a terminal's shell would: its own process group, the wrapper's bash leading it. */
function runWrapped(script: string): { pid: number; done: Promise<number | null> } {
  const [cmd, ...args] = wrapperArgv(script);
  const child = spawn(cmd!, args, { detached: true, stdio: 'ignore' });
  return { pid: child.pid!, done: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

const waitFor = async (what: string, probe: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('serve wrapper', () => {
  it('leaves the group pid, the server output (stdout and stderr) and its exit status beside the script; quoting holds', async () => {
    const t = tempDir();
    const dir = path.join(t.dir, "serve 'wrapper' $(echo x)");
    mkdirSync(dir);
    const script = path.join(dir, 'serve-planner.sh');
    writeFileSync(script, 'echo "INFO starting"\necho "ERROR: engine core failed" >&2\nexit 3\n');
    const files = serverFiles(script);
    assert.deepEqual(files, {
      pid: path.join(dir, 'serve-planner.group.pid'),
      log: path.join(dir, 'serve-planner.log'),
      exit: path.join(dir, 'serve-planner.exit-code'),
    });
    const run = runWrapped(script);
    assert.equal(await run.done, 3);
    assert.equal(readFileSync(files.exit, 'utf8'), '3');
    assert.equal(Number(readFileSync(files.pid, 'utf8')), run.pid, 'the pid of the group leader');
    assert.deepEqual(await logTail(files.log), ['INFO starting', 'ERROR: engine core failed']);
    t.dispose();
  });

  it('a signal to the group ends the server and everything it started; groupAlive and processAlive see it', async () => {
    const t = tempDir();
    const dir = t.dir;
    const script = path.join(dir, 'serve-generator.sh');
    const childPid = path.join(dir, 'worker.pid');
    // a server with a worker of its own (as vLLM's engine core is)
    writeFileSync(script, `sleep 60 & echo $! > '${childPid}'\nexec sleep 60\n`);
    const run = runWrapped(script);
    await waitFor('the worker started', () => {
      try {
        return readFileSync(childPid, 'utf8').trim() !== '';
      } catch {
        return false;
      }
    });
    const worker = Number(readFileSync(childPid, 'utf8'));
    assert.ok(groupAlive(run.pid) && processAlive(run.pid) && processAlive(worker));
    process.kill(-run.pid, 'SIGTERM');
    await run.done;
    await waitFor('the group gone', () => !groupAlive(run.pid));
    assert.equal(processAlive(worker), false);
    assert.equal(processAlive(run.pid), false);
    t.dispose();
  });
});

describe('stopGroup', () => {
  it("SIGTERM to the group: the server's shutdown lines still reach the log (tee ignores it) and the wrapper writes the exit status", async () => {
    const t = tempDir();
    const script = path.join(t.dir, 'serve-planner.sh');
    writeFileSync(script, `trap 'echo "INFO shutting down"; exit 0' TERM\necho "INFO started"\nwhile :; do sleep 0.1; done\n`);
    const files = serverFiles(script);
    const run = runWrapped(script);
    await waitFor('the server started', () => {
      try {
        return readFileSync(files.log, 'utf8').includes('INFO started');
      } catch {
        return false;
      }
    });
    assert.equal(await stopGroup(run.pid), true);
    await run.done;
    assert.equal(groupAlive(run.pid), false);
    // (bash may also report its sleep "Terminated")
    const lines = await logTail(files.log);
    assert.equal(lines[0], 'INFO started');
    assert.equal(lines.at(-1), 'INFO shutting down');
    assert.equal(readFileSync(files.exit, 'utf8'), '0');
    t.dispose();
  });

  it('a member that ignores SIGTERM is killed after the grace period', async () => {
    const t = tempDir();
    const script = path.join(t.dir, 'serve-generator.sh');
    const workerPid = path.join(t.dir, 'worker.pid');
    // an engine child that hangs on shutdown
    writeFileSync(script, `(trap '' TERM; echo $BASHPID > '${workerPid}'; while :; do sleep 0.1; done) &\nwait\n`);
    const run = runWrapped(script);
    await waitFor('the worker started', () => {
      try {
        return readFileSync(workerPid, 'utf8').trim() !== '';
      } catch {
        return false;
      }
    });
    const worker = Number(readFileSync(workerPid, 'utf8'));
    const started = Date.now();
    assert.equal(await stopGroup(run.pid, 500), true);
    assert.ok(Date.now() - started >= 500);
    assert.equal(processAlive(worker), false, 'the hanging worker was killed');
    assert.equal(groupAlive(run.pid), false);
    await run.done;
    t.dispose();
  });
});

describe('runningWrapper', () => {
  it("the wrapper's group while it runs that script; never a pid the file names that is not our wrapper of it", async () => {
    const t = tempDir();
    const script = path.join(t.dir, 'serve-planner.sh');
    writeFileSync(script, 'exec sleep 60\n');
    const other = path.join(t.dir, 'serve-generator.sh');
    const run = runWrapped(script);
    await waitFor('the pid file', () => {
      try {
        return readFileSync(serverFiles(script).pid, 'utf8').trim() !== '';
      } catch {
        return false;
      }
    });
    assert.equal(await runningWrapper(script), run.pid);
    assert.equal(await runningWrapper(other), undefined, 'no pid file');
    // a stale pid file naming a process that is not the wrapper (here this test's own process)
    writeFileSync(serverFiles(other).pid, `${process.pid}\n`);
    assert.equal(await runningWrapper(other), undefined);
    await stopGroup(run.pid, 2000);
    await run.done;
    assert.equal(await runningWrapper(script), undefined, 'ended');
    t.dispose();
  });
});

describe('logTail', () => {
  it('the last n non-empty lines, without terminal colour codes; a missing log has none', async () => {
    const t = tempDir();
    const dir = t.dir;
    const log = path.join(dir, 'serve-planner.log');
    writeFileSync(log, Array.from({ length: 30 }, (_, i) => `\x1b[32mINFO\x1b[0m line ${i}`).join('\r\n') + '\n\n');
    assert.deepEqual(await logTail(log, 3), ['INFO line 27', 'INFO line 28', 'INFO line 29']);
    assert.deepEqual(await logTail(path.join(dir, 'none.log')), []);
    t.dispose();
  });
});

describe('slurmOutputFile', () => {
  it('the #SBATCH --output of the serve .sbatch: quoted, %j the job id, %% a literal %; else slurm-<id>.out', () => {
    const text =
      '#!/bin/bash\n#SBATCH --job-name="esc-serve-x-planner"\n#SBATCH --output="/runs/100%% \\"sure\\"/serve-planner-slurm-%j.out"\nbash x\n';
    assert.equal(slurmOutputFile(text, '4242', '/w'), '/runs/100% "sure"/serve-planner-slurm-4242.out');
    assert.equal(slurmOutputFile('#!/bin/bash\nbash x\n', '7', '/w/exp'), '/w/exp/slurm-7.out');
    assert.equal(slurmOutputFile('#SBATCH -o logs/%j.txt\n', '9', '/w'), '/w/logs/9.txt');
  });
});
