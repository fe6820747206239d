/**
 * A seeded pseudo-random generator (sfc32, seeded through splitmix32) and the draws the
 * simulator needs. Math.random cannot be seeded, and a plan must give the same numbers
 * every time it is asked the same question.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Exponential with the given mean. */
  exp(mean: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Lognormal with the given mean and coefficient of variation (sd / mean). */
  lognormal(mean: number, cv: number): number;
  /** An index drawn with probability proportional to its weight. */
  pick(weights: readonly number[]): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function rng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // The first outputs of a fresh sfc32 state are poorly mixed.
  for (let i = 0; i < 12; i++) next();
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = next();
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    exp: (mean) => -mean * Math.log(1 - next()),
    normal,
    lognormal: (mean, cv) => {
      if (cv <= 0) return mean;
      const s2 = Math.log(1 + cv * cv);
      return mean * Math.exp(Math.sqrt(s2) * normal() - s2 / 2);
    },
    pick: (weights) => {
      let total = 0;
      for (const w of weights) total += w;
      let x = next() * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i] as number;
        if (x < 0) return i;
      }
      return weights.length - 1;
    },
  };
}
