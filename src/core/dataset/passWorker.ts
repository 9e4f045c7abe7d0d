// Worker thread of the full pass (bundled as dist/passWorker.js): parses, checks and summarises the
// batches of records passBatches.ts hands it and answers with each batch's part.

import { serve } from '../util/workerRpc';
import type { PassMethods } from './passBatches';
import { RecordPass } from './recordPass';

serve<PassMethods>({
  pass: ({ settings, firstIndex, starts, ends, bytes }) => {
    const pass = new RecordPass(settings);
    const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i]!;
      const end = ends[i]!;
      pass.add({ index: firstIndex + i, start, end }, all.subarray(at, at + end - start));
      at += end - start;
    }
    return pass.finish();
  },
});
