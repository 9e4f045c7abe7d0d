// The embedded strategy planner: multinomial logistic regression over hashed context features,
// trained first by SFT (softmax cross-entropy on gold strategies), then by DPO on planner preference
// pairs (chosen vs rejected strategy) against the frozen SFT model as reference.

import { STRATEGIES } from '../strategies';
import { mulberry32 } from '../util/random';
import { FEATURE_DIM, type SparseVector } from './features';

const K = STRATEGIES.length;

export interface PlannerSample {
  x: SparseVector;
  /** Gold strategy id. */
  y: number;
}

export interface PlannerPair {
  x: SparseVector;
  chosen: number;
  rejected: number;
}

function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const r = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export class PlannerModel {
  /**
   * Row-major [FEATURE_DIM][K] weights: a feature's K weights are adjacent, so a sparse forward pass
   * reads one short run per active feature, and the ONNX graph gathers rows of the same buffer.
   */
  readonly weights: Float32Array;

  constructor(weights?: Float32Array) {
    if (weights && weights.length !== K * FEATURE_DIM) {
      throw new Error(`planner weights must hold ${K}×${FEATURE_DIM} numbers, not ${weights.length}`);
    }
    this.weights = weights ?? new Float32Array(K * FEATURE_DIM);
  }

  clone(): PlannerModel {
    return new PlannerModel(Float32Array.from(this.weights));
  }

  logits(x: SparseVector): Float64Array {
    const z = new Float64Array(K);
    const w = this.weights;
    for (let i = 0; i < x.indices.length; i++) {
      const row = x.indices[i]! * K;
      const v = x.values[i]!;
      for (let c = 0; c < K; c++) z[c]! += w[row + c]! * v;
    }
    return z;
  }

  /** Probability of every strategy (softmax of the logits). */
  probabilities(x: SparseVector): Float64Array {
    const z = this.logits(x);
    let max = -Infinity;
    for (const v of z) max = Math.max(max, v);
    let sum = 0;
    for (let c = 0; c < K; c++) sum += z[c] = Math.exp(z[c]! - max);
    for (let c = 0; c < K; c++) z[c]! /= sum;
    return z;
  }

  logProb(x: SparseVector, y: number): number {
    return Math.log(Math.max(this.probabilities(x)[y]!, 1e-12));
  }

  predict(x: SparseVector): number {
    const p = this.probabilities(x);
    let best = 0;
    for (let c = 1; c < K; c++) if (p[c]! > p[best]!) best = c;
    return best;
  }

  private step(x: SparseVector, gradLogits: ArrayLike<number>, lr: number): void {
    const w = this.weights;
    for (let i = 0; i < x.indices.length; i++) {
      const row = x.indices[i]! * K;
      const v = lr * x.values[i]!;
      for (let c = 0; c < K; c++) w[row + c]! -= v * gradLogits[c]!;
    }
  }

  /** SFT: softmax cross-entropy by SGD, learning rate decaying per epoch. */
  trainSft(samples: readonly PlannerSample[], opts: { epochs?: number; lr?: number; seed?: number } = {}): void {
    const epochs = opts.epochs ?? 8;
    const lr0 = opts.lr ?? 0.5;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const lr = lr0 / (1 + epoch);
      for (const i of shuffled(samples.length, (opts.seed ?? 42) + epoch)) {
        const s = samples[i]!;
        const p = this.probabilities(s.x);
        p[s.y]! -= 1; // d(-log p_y)/dz = p - onehot(y)
        this.step(s.x, p, lr);
      }
    }
  }

  /**
   * DPO against a frozen reference: loss = -log σ(β·Δ), Δ = (log π(c) − log π(r)) − (log π_ref(c) − log π_ref(r)).
   * For a softmax policy d(log π(c) − log π(r))/dz = e_c − e_r, so the step touches two rows only.
   */
  trainDpo(
    pairs: readonly PlannerPair[],
    reference: PlannerModel,
    opts: { epochs?: number; lr?: number; beta?: number; seed?: number } = {},
  ): void {
    // gentle defaults: on the paper's splits larger steps overfit the mined pairs and lose accuracy
    const beta = opts.beta ?? 0.1;
    const epochs = opts.epochs ?? 1;
    const lr = opts.lr ?? 0.05;
    const refMargin = pairs.map((p) => reference.logProb(p.x, p.chosen) - reference.logProb(p.x, p.rejected));
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const i of shuffled(pairs.length, (opts.seed ?? 7) + epoch)) {
        const pair = pairs[i]!;
        const delta = this.logProb(pair.x, pair.chosen) - this.logProb(pair.x, pair.rejected) - refMargin[i]!;
        const sigma = 1 / (1 + Math.exp(-beta * delta));
        const coeff = -(1 - sigma) * beta; // d loss / d Δ
        const g = new Float64Array(K);
        g[pair.chosen] = coeff;
        g[pair.rejected] = -coeff;
        this.step(pair.x, g, lr);
      }
    }
  }
}
