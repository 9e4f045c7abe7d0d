// Work the Datasets view needs per file — kind, record count, strategy mix — done in a worker thread
// (dist/inspectWorker.js) so a workspace of large files never stalls the extension host.

import { parentPort } from 'node:worker_threads';
import { inspectFile, type Inspection } from '../../formats/detect';
import { analyzeFile } from '../validate';
import type { DatasetStats } from '../stats';

export type InspectRequest = { id: number; type: 'inspect'; path: string } | { id: number; type: 'stats'; path: string };

export type InspectResult = { inspect: Inspection; stats: DatasetStats | undefined };

export type InspectResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: InspectRequest) => {
    const work =
      req.type === 'inspect' ? inspectFile(req.path) : analyzeFile(req.path, { summarize: true, maxProblems: 1 }).then((a) => a.stats);
    work.then(
      (result) => port.postMessage({ id: req.id, ok: true, result } satisfies InspectResponse),
      (err: unknown) =>
        port.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies InspectResponse),
    );
  });
}
