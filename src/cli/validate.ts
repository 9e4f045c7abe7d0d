// `esc validate <file> [--json] [--kind K]`: every record against its schema; exit 1 when any record
// is invalid or the file is not parseable.

import { isDatasetKind, DATASET_KINDS } from '../core/formats/kinds';
import { validateFile } from '../core/dataset/validate';
import { requireFile } from './inputFile';
import { printJson, UsageError, type Io } from './output';

export async function validateCommand(args: string[], json: boolean, kindArg: string | undefined, io: Io): Promise<number> {
  const file = await requireFile(args[0], 'validate');
  if (kindArg !== undefined && !isDatasetKind(kindArg)) {
    throw new UsageError(`esc validate: unknown --kind ${JSON.stringify(kindArg)}; one of ${DATASET_KINDS.join(', ')}`);
  }
  const report = await validateFile(file, { kind: kindArg as never });
  if (json) {
    printJson(io, report);
  } else {
    const summary = `${file}: ${report.kind}, ${report.records} record${report.records === 1 ? '' : 's'}`;
    if (report.valid) {
      io.out(`${summary}${report.records === 0 ? ' (empty dataset)' : ''}: all valid`);
    } else {
      io.out(`${summary}, ${report.invalidRecords} invalid${report.parseable ? '' : ', not parseable'}`);
      for (const p of report.problems) {
        const where = p.index === undefined ? `byte ${p.offset}` : `record ${p.index} (byte ${p.offset}) ${p.path}`;
        io.out(`  ${where}: ${p.message}`);
      }
      if (report.truncatedList) io.out('  … more problems not listed');
    }
  }
  return report.valid ? 0 : 1;
}
