// Under Slurm a server's host is only known once its job runs: `sbatch --parsable` prints the job id
// (core/training/slurm.ts parseSbatchJobId reads it), and
// `squeue -h -j <id> -o %N` prints the job's node list (empty while it is pending). The endpoint is
// the first node of that list, in Slurm's compressed hostlist form (`gpu-node-03`, `gpu[01-02]`,
// `gpu[01,03],cpu5`, `rack[1-2]-gpu[07-08]`).

/** The argv that asks Slurm for a job's node list. */
export const squeueNodeArgs = (jobId: string): string[] => ['squeue', '-h', '-j', jobId, '-o', '%N'];

/**
 * The first host of `squeue -o %N` output, or undefined while the job has no node (pending: an empty
 * line, or `(null)` / `n/a` on some versions). Only the first line counts.
 */
export function firstSlurmHost(output: string): string | undefined {
  const line = output
    .split(/\r?\n/)
    .find((l) => l.trim() !== '')
    ?.trim();
  if (line === undefined || /^(\(null\)|n\/a|none|\(none\))$/i.test(line)) return undefined;
  // the first entry at bracket depth 0
  let depth = 0;
  let end = line.length;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      end = i;
      break;
    }
  }
  const entry = line.slice(0, end);
  // each bracket group stands for its first value: `01-02` → `01` (padding kept), `03,05-06` → `03`
  const host = entry.replace(/\[([^\]]*)\]/g, (_m, inner: string) => inner.split(',')[0]!.split('-')[0]!.trim());
  return /^[A-Za-z0-9._-]+$/.test(host) ? host : undefined;
}
