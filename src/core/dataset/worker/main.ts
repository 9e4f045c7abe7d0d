// The dataset worker thread: owns one DatasetIndex, indexes and analyses the file off the extension
// host's main thread, and answers the viewer's requests. Every panel open on the file shares it and
// has its own view: a panel's new query cancels only that panel's search before it (ownedQueries.ts).

import { workerData } from 'node:worker_threads';
import { serve } from '../../util/workerRpc';
import { DatasetIndex, type IndexEvents } from '../datasetIndex';
import { OwnedQueries } from './ownedQueries';
import type { DatasetWorkerMethods, WorkerData, WorkerEvent } from './protocol';

const { path } = workerData as WorkerData;
const index = new DatasetIndex(path);
const queries = new OwnedQueries((version) => index.dropView(version));
// a view an open panel still shows is never evicted, however many panels came and went
index.inUse = (version) => queries.inUse(version);

// Past its first page, the index of a large file waits too until a page has drawn it (or for
// INDEX_FALLBACK_MS): scanning hundreds of MB at full speed takes a core from the workbench while it
// makes the webview, and the first rows need only the first page (bench:open).
const INDEX_FALLBACK_MS = 3000;
let resumeIndex!: () => void;
const indexGate = new Promise<void>((resolve) => (resumeIndex = resolve));

const events: IndexEvents = {
  progress: (progress) => send({ type: 'progress', progress }),
  firstRecords: (records) => send({ type: 'firstRecords', records, kind: index.kind }),
  afterFirstRecords: () => {
    setTimeout(resumeIndex, INDEX_FALLBACK_MS).unref();
    return indexGate;
  },
};

// The analysis pass (parse + validate + summarise every record) is CPU-heavy. On a small machine it
// competes with the editor drawing the first page — and with the workbench making the webview, while
// the rows read for a page not made yet wait in VS Code's queue for it — so it waits until a page has
// its first rows (plus a moment to paint them), or until ANALYSIS_FALLBACK_MS if no viewer asks.
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

const server = serve<DatasetWorkerMethods, WorkerEvent>({
  query: ({ owner, query }) => queries.run(owner, (signal) => index.query(query, events, signal)),
  rows: ({ version, start, count, beforePage }) => {
    if (!beforePage) pageHasRows();
    // a view its panel replaced, or one evicted, is refused (CancelledError): its rows would be drawn under the wrong search
    return index.rows(start, count, version);
  },
  pageDrawn: () => pageHasRows(),
  record: ({ index: i }) => index.record(i),
  // a panel with no view yet (its first query still to come) sees the file in file order
  position: ({ owner, index: i }) => index.positionOf(i, queries.viewOf(owner) ?? 0),
  releasePanel: ({ owner }) => queries.forget(owner),
  close: async () => {
    queries.abortAll();
    await index.close();
    process.exit(0);
  },
});

/** A page shows rows: the index goes on, and the analysis starts once they are painted (the first time only). */
let pageSeen = false;
function pageHasRows(): void {
  if (pageSeen) return;
  pageSeen = true;
  resumeIndex();
  setTimeout(startAnalysis, ANALYSIS_AFTER_FIRST_ROWS_MS);
}

function send(e: WorkerEvent): void {
  server.emit(e);
}

run().catch((err: unknown) => send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) }));
