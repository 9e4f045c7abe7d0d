// Writes the embedded planner as an ONNX graph (onnx-proto's protobuf classes): dense hashed
// features [1, D] -> MatMul with the weights [D, K] -> Softmax -> probabilities [1, K].
// onnxruntime-node runs it (loaded only when first used, never at extension activation).

import { onnx } from 'onnx-proto';
import { STRATEGIES } from '../strategies';
import { FEATURE_DIM, type SparseVector } from './features';
import type { PlannerModel } from './plannerModel';

const K = STRATEGIES.length;
const FLOAT = 1; // onnx.TensorProto.DataType.FLOAT

function valueInfo(name: string, dims: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

/** The planner as ONNX model bytes. */
export function plannerToOnnx(model: PlannerModel): Uint8Array {
  // ONNX wants [D, K] (row-major, little-endian float32); the model stores [K, D]
  const w = new Float32Array(FEATURE_DIM * K);
  for (let c = 0; c < K; c++) for (let d = 0; d < FEATURE_DIM; d++) w[d * K + c] = model.weights[c * FEATURE_DIM + d]!;
  const graph: onnx.IGraphProto = {
    name: 'esc_strategy_planner',
    input: [valueInfo('features', [1, FEATURE_DIM])],
    output: [valueInfo('probabilities', [1, K])],
    initializer: [{ name: 'weights', dims: [FEATURE_DIM, K], dataType: FLOAT, rawData: new Uint8Array(w.buffer) }],
    node: [
      { opType: 'MatMul', input: ['features', 'weights'], output: ['logits'], name: 'matmul' },
      { opType: 'Softmax', input: ['logits'], output: ['probabilities'], name: 'softmax', attribute: [{ name: 'axis', type: 2, i: 1 }] },
    ],
  };
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'esc-studio',
    opsetImport: [{ domain: '', version: 17 }],
    graph,
    docString: `ESC Studio embedded strategy planner: ${STRATEGIES.join(', ')}`,
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** Dense input for the graph from a sparse feature vector. */
export function denseFeatures(x: SparseVector): Float32Array {
  const dense = new Float32Array(FEATURE_DIM);
  for (let i = 0; i < x.indices.length; i++) dense[x.indices[i]!] = x.values[i]!;
  return dense;
}

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;

/** Runs the planner graph through onnxruntime-node (required lazily, on first use). */
export async function onnxPlanner(bytes: Uint8Array): Promise<(x: SparseVector) => Promise<Float32Array>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ort ??= require('onnxruntime-node') as Ort;
  const session = await ort.InferenceSession.create(bytes);
  return async (x) => {
    const out = await session.run({ features: new ort!.Tensor('float32', denseFeatures(x), [1, FEATURE_DIM]) });
    return out.probabilities!.data as Float32Array;
  };
}
