// The one seeded random number generator of the project (split shuffles, the embedded planner's
// training order, retrieval sampling): the same seed gives the same numbers on every platform.

/** mulberry32 (Tommy Ettinger's public-domain generator): a float in [0, 1) per call. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
