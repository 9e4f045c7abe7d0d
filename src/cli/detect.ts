// `esc detect <file> [--json]`: the kind, layout details and record count of a dataset file.

import { inspectFile } from '../core/formats/detect';
import { describeContainer, describeLayout } from '../core/formats/describe';
import { KIND_LABELS } from '../core/formats/kinds';
import { requireFile } from './inputFile';
import { printJson, type Io } from './output';

export async function detectCommand(args: string[], json: boolean, io: Io): Promise<number> {
  const file = await requireFile(args[0], 'detect');
  // the kind comes from the head; the count needs one pass over the whole file
  const { detection, records } = await inspectFile(file, { countUnknown: true });
  const { layout } = detection;
  if (json) {
    printJson(io, {
      file,
      kind: detection.kind,
      records,
      container: detection.container ?? null,
      bom: detection.bom,
      conversationKey: layout.conversationKey ?? null,
      tags: layout.tags ?? null,
      pairLayout: layout.pairLayout ?? null,
      systemPrompt: layout.systemPrompt ?? null,
      sampled: detection.sampled,
      ...(detection.mixed ? { mixed: detection.mixed } : {}),
      ...(layout.reason ? { reason: layout.reason } : {}),
      ...(detection.problem ? { problem: { message: detection.problem.message, offset: detection.problem.offset } } : {}),
    });
  } else {
    io.out(file);
    io.out(`  kind:      ${detection.kind} (${KIND_LABELS[detection.kind]})`);
    io.out(`  records:   ${records}`);
    io.out(`  container: ${describeContainer(detection.container, detection.bom)}`);
    const details = describeLayout(layout);
    if (details) io.out(`  layout:    ${details}`);
    if (detection.mixed) {
      io.out(
        `  mixed:     ${Object.entries(detection.mixed)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')} (of ${detection.sampled} sampled)`,
      );
    }
    if (layout.reason && !detection.problem) io.out(`  why:       ${layout.reason}`);
    if (detection.problem) io.out(`  problem:   ${detection.problem.message} (byte ${detection.problem.offset})`);
  }
  return detection.problem ? 1 : 0;
}
