// Worker thread of the full pass (bundled as dist/passWorker.js): reads the records of each batch
// passBatches.ts hands it from the file, parses, checks and summarises them, and answers with the
// batch's part.

import { open } from 'node:fs/promises';
import { readRange } from '../json/recordReader';
import { serve } from '../util/workerRpc';
import type { PassMethods } from './passBatches';
import { RecordPass } from './recordPass';

serve<PassMethods>({
  pass: async ({ settings, file, firstIndex, starts, ends }) => {
    const pass = new RecordPass(settings);
    if (starts.length === 0) return pass.finish();
    const from = starts[0]!;
    const handle = await open(file, 'r');
    let bytes: Buffer;
    try {
      bytes = await readRange(handle, from, ends[ends.length - 1]!);
    } finally {
      await handle.close();
    }
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i]!;
      const end = ends[i]!;
      // (a file cut shorter since it was scanned gives short bytes, reported as a syntax error)
      pass.add({ index: firstIndex + i, start, end }, bytes.subarray(start - from, end - from));
    }
    return pass.finish();
  },
});
