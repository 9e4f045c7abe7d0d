// The embedded models as ONNX graphs, written with onnx-proto's protobuf classes, and read back.
// The .onnx files are the single source of the weights: onnxruntime-node runs them, and the
// TypeScript forward pass (used for training, the equality tests and as a fallback) reads the same
// initializers back.
//
// planner:   indices [n] int64, values [1, n] float
//            -> Gather(weights [D, K], indices) [n, K] -> MatMul(values, ·) [1, K] -> Softmax
//            (sparse: only the context's active hashed features are touched, not all 2^18)
// The retrieval generator has no graph since model format 2: BM25 over a sparse index is a few
// thousand additions per turn in TypeScript, and a dense [N, E] bank was the memory problem.

import type { onnx as OnnxTypes } from 'onnx-proto';
import { STRATEGIES } from '../strategies';
import { FEATURE_DIM } from './features';

const K = STRATEGIES.length;
/**
 * onnx-proto (with protobufjs, ~110 KB of the extension bundle) is evaluated on first use only — when
 * the Playground loads or trains models — not while the extension activates.
 */
let onnxModule: typeof OnnxTypes | undefined;
function onnxProto(): typeof OnnxTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  onnxModule ??= (require('onnx-proto') as typeof import('onnx-proto')).onnx;
  return onnxModule;
}
// onnx.TensorProto.DataType / AttributeProto.AttributeType values (fixed by the ONNX spec)
const FLOAT = 1;
const INT64 = 7;
const INT = 2;
const OPSET = 17;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

const floatTensor = (name: string, dims: number[], data: Float32Array): OnnxTypes.ITensorProto => ({
  name,
  dims,
  dataType: FLOAT,
  rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});

/** A graph node; `axis` is the one attribute these graphs use (Gather, Softmax, TopK). */
function op(opType: string, input: string[], output: string[], name: string, axis?: number): OnnxTypes.INodeProto {
  return axis === undefined
    ? { opType, input, output, name }
    : { opType, input, output, name, attribute: [{ name: 'axis', type: INT, i: axis }] };
}

function encode(graph: OnnxTypes.IGraphProto, doc: string): Uint8Array {
  const onnx = onnxProto();
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'esc-studio',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
    docString: doc,
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** The planner's [D, K] weights (PlannerModel's own layout) as ONNX model bytes. */
export function plannerGraph(weights: Float32Array): Uint8Array {
  if (weights.length !== FEATURE_DIM * K) throw new Error(`planner weights must hold ${FEATURE_DIM}×${K} numbers`);
  return encode(
    {
      name: 'esc_strategy_planner',
      input: [valueInfo('indices', INT64, ['n']), valueInfo('values', FLOAT, [1, 'n'])],
      output: [valueInfo('probabilities', FLOAT, [1, K])],
      initializer: [floatTensor('weights', [FEATURE_DIM, K], weights)],
      node: [
        op('Gather', ['weights', 'indices'], ['rows'], 'gather', 0),
        op('MatMul', ['values', 'rows'], ['logits'], 'matmul'),
        op('Softmax', ['logits'], ['probabilities'], 'softmax', 1),
      ],
    },
    `ESC Studio embedded strategy planner (logistic regression over hashed context features): ${STRATEGIES.join(', ')}`,
  );
}

/** The model's initializers by name (decoded once: the bank's graph is tens of MB). */
function initializers(bytes: Uint8Array): (name: string) => OnnxTypes.TensorProto {
  const model = onnxProto().ModelProto.decode(bytes);
  return (name) => {
    const t = model.graph?.initializer?.find((i) => i.name === name);
    if (!t) throw new Error(`the ONNX model has no "${name}" initializer; was it written by ESC Studio?`);
    return t as OnnxTypes.TensorProto;
  };
}

/** Copies raw tensor bytes into an aligned buffer (protobuf slices are not 4-byte aligned). */
function rawCopy(t: OnnxTypes.TensorProto, bytesPerItem: number): ArrayBuffer {
  const raw = t.rawData;
  const n = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
  if (!raw || raw.length !== n * bytesPerItem) {
    throw new Error(`the ONNX initializer "${t.name}" has ${raw?.length ?? 0} bytes, expected ${n * bytesPerItem}`);
  }
  const buf = new ArrayBuffer(raw.length);
  new Uint8Array(buf).set(raw);
  return buf;
}

/** The planner's weights read back from its ONNX bytes. */
export function plannerWeights(bytes: Uint8Array): Float32Array {
  const t = initializers(bytes)('weights');
  const dims = (t.dims ?? []).map(Number);
  if (dims[0] !== FEATURE_DIM || dims[1] !== K) {
    throw new Error(`planner weights are [${dims.join(', ')}], expected [${FEATURE_DIM}, ${K}]`);
  }
  return new Float32Array(rawCopy(t, 4));
}
