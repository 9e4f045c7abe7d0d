// One look at a Slurm job as training's stages and serving's servers follow it (core/training/slurmJob.ts),
// against stand-in squeue / sacct on PATH: queued or running from squeue; once it left the queue, how it
// ended from sacct's State and ExitCode (a cancelled job is stopped, not failed); unknown when squeue
// fails or sacct does not know the job (the caller gives up only after MAX_BLIND_POLLS such looks).

import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_BLIND_POLLS, slurmJobState } from '../../src/core/training/slurmJob';
import { tempDir } from './helpers';

/** squeue prints $SQ (exit $SQ_EXIT), sacct prints $SA and logs its argv. */
function standIns(dir: string): void {
  writeFileSync(path.join(dir, 'squeue'), '#!/bin/sh\nprintf "%s" "$SQ"\nexit "${SQ_EXIT:-0}"\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'sacct'), `#!/bin/sh\necho "$*" > '${path.join(dir, 'sacct.argv')}'\nprintf "%s" "$SA"\n`, { mode: 0o755 });
}

async function look(dir: string, env: Record<string, string>): Promise<Awaited<ReturnType<typeof slurmJobState>>> {
  const saved = { ...process.env };
  Object.assign(process.env, { PATH: `${dir}${path.delimiter}${saved.PATH ?? ''}`, SQ: '', SA: '', SQ_EXIT: '0' }, env);
  try {
    return await slurmJobState('77', dir);
  } finally {
    process.env = saved;
  }
}

describe('slurmJobState', () => {
  it('queued, running, and how a job that left the queue ended (sacct State,ExitCode)', async () => {
    const t = tempDir();
    standIns(t.dir);
    assert.deepEqual(await look(t.dir, { SQ: 'PENDING\n' }), { state: 'queued' });
    assert.deepEqual(await look(t.dir, { SQ: 'RUNNING\n' }), { state: 'running' });
    assert.deepEqual(await look(t.dir, { SA: 'COMPLETED 0:0\n' }), { state: 'ended', outcome: { code: 0 } });
    assert.deepEqual(await look(t.dir, { SA: 'FAILED 3:0\n' }), { state: 'ended', outcome: { code: 3 } });
    // cancelled by whoever: stopped, not failed
    assert.deepEqual(await look(t.dir, { SA: 'CANCELLED by 1000 0:15\n' }), {
      state: 'ended',
      outcome: { code: undefined, stopped: true },
    });
    // the exit code is asked for, not only the state
    await look(t.dir, { SA: 'COMPLETED 0:0\n' });
    assert.match(readFileSync(path.join(t.dir, 'sacct.argv'), 'utf8'), /-o State,ExitCode/);
    t.dispose();
  });

  it('unknown when squeue fails or sacct does not know the job; the caller gives up after a bounded number of those', async () => {
    const t = tempDir();
    standIns(t.dir);
    assert.deepEqual(await look(t.dir, { SQ_EXIT: '1' }), { state: 'unknown' });
    assert.deepEqual(await look(t.dir, { SA: '' }), { state: 'unknown' });
    assert.ok(MAX_BLIND_POLLS > 1 && MAX_BLIND_POLLS < 100);
    t.dispose();
  });
});
