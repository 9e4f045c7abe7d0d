// The dataset worker thread: owns one DatasetIndex, indexes and analyses the file off the extension
// host's main thread, and answers the viewer's requests. A new query cancels the search before it.

import { parentPort, workerData } from 'node:worker_threads';
import { DatasetIndex, type IndexEvents } from '../datasetIndex';
import type { FromWorker, WorkerData, WorkerRequest } from './protocol';

const port = parentPort!;
const { path } = workerData as WorkerData;
const index = new DatasetIndex(path);
const send = (m: FromWorker): void => port.postMessage(m);
let queryAbort: AbortController | undefined;

const events: IndexEvents = {
  progress: (progress) => send({ type: 'progress', progress }),
  firstRecords: (records) => send({ type: 'firstRecords', records, kind: index.kind }),
};

// The analysis pass (parse + validate + summarise every record) is CPU-heavy. On a small machine it
// competes with the editor drawing the first page, so it waits until the viewer has its first rows
// (plus a moment to paint them), or until ANALYSIS_FALLBACK_MS if no viewer asks.
const ANALYSIS_AFTER_FIRST_ROWS_MS = 150;
const ANALYSIS_FALLBACK_MS = 3000;
let startAnalysis!: () => void;
const analysisGate = new Promise<void>((resolve) => {
  startAnalysis = resolve;
  setTimeout(resolve, ANALYSIS_FALLBACK_MS).unref();
});

async function run(): Promise<void> {
  await index.index(events);
  send({
    type: 'indexed',
    info: {
      kind: index.kind,
      container: index.detection?.container,
      records: index.count,
      size: index.size,
      indexMs: index.indexMs,
      problems: index.problems,
    },
  });
  await analysisGate;
  await index.analyze(events);
  send({ type: 'analyzed', stats: index.stats, problems: index.problems, invalid: index.invalidCount, analyzeMs: index.analyzeMs });
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.type) {
    case 'query': {
      queryAbort?.abort();
      const abort = (queryAbort = new AbortController());
      return index.query(req.query, events, abort.signal);
    }
    case 'rows':
      setTimeout(startAnalysis, ANALYSIS_AFTER_FIRST_ROWS_MS);
      // rows of an older view would be drawn under the wrong search: refuse them
      if (req.version !== index.viewVersion) throw new Error('cancelled');
      return index.rows(req.start, req.count);
    case 'record':
      return index.record(req.index);
    case 'position':
      return index.positionOf(req.index);
    case 'close':
      queryAbort?.abort();
      await index.close();
      process.exit(0);
  }
}

port.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (result) => send({ id: req.id, ok: true, result }),
    (err: unknown) =>
      send({
        id: req.id,
        ok: false,
        error: err instanceof Error ? `${err.name === 'AbortError' ? 'cancelled' : err.message}` : String(err),
      }),
  );
});

run().catch((err: unknown) => send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) }));
