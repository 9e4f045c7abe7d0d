// onnxruntime-node, loaded on first use only: extension activation must not pay for its native
// library (30 MB), and a machine where it cannot load still gets the TypeScript engine.

import type * as OrtTypes from 'onnxruntime-node';
import type { SparseVector } from './features';

type Ort = typeof OrtTypes;
let ort: Ort | undefined;
let loadError: Error | undefined;

/** onnxruntime-node, or an Error that says why it could not be loaded. */
export function loadOrt(): Ort | Error {
  if (ort) return ort;
  if (loadError) return loadError;
  try {
    // a plain require, kept external by the bundler, so the native module is resolved at run time
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ort = require('onnxruntime-node') as Ort;
    return ort;
  } catch (e) {
    loadError = new Error(`onnxruntime-node could not be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    return loadError;
  }
}

function requireOrt(): Ort {
  const o = loadOrt();
  if (o instanceof Error) throw o;
  return o;
}

const sessionOptions = (): OrtTypes.InferenceSession.SessionOptions => ({
  // one intra-op thread: the graphs are tiny and the extension host shares the machine
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});

export type PlannerRun = (x: SparseVector) => Promise<Float32Array>;

export interface Session<R> {
  run: R;
  release(): Promise<void>;
}

export async function plannerSession(bytes: Uint8Array): Promise<Session<PlannerRun>> {
  const o = requireOrt();
  const session = await o.InferenceSession.create(bytes, sessionOptions());
  const run: PlannerRun = async (x) => {
    const n = x.indices.length;
    const indices = new BigInt64Array(n);
    for (let i = 0; i < n; i++) indices[i] = BigInt(x.indices[i]!);
    const out = await session.run({ indices: new o.Tensor('int64', indices, [n]), values: new o.Tensor('float32', x.values, [1, n]) });
    return out.probabilities!.data as Float32Array;
  };
  return { run, release: () => session.release() };
}
