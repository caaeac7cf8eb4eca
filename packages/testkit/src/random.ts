/**
 * A small, fast, seeded PRNG (mulberry32): uniform numbers in [0, 1). Generated histories, services,
 * faults and benchmarks depend on it rather than Math.random, so the same seed gives the same data
 * on every machine and Node version.
 */
export function seededPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
