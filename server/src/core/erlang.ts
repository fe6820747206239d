/**
 * Erlang C for M/M/c (Poisson arrivals, exponential service, c servers, one FIFO line): the
 * queueing formula the simulator is checked against (simulation/erlang.ts) and the
 * supervisor's advice counts counters with (alarms/engine.ts). Pure.
 */

/** Probability that an arrival waits (Erlang C), for c servers and offered load a = λ/μ < c. */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  // Erlang B by its stable recursion, then C from B.
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho + rho * b);
}

/** Mean wait in line (same unit as `meanService`) for M/M/c at utilisation ρ. */
export function erlangCWait(c: number, rho: number, meanService: number): number {
  const a = rho * c;
  return (erlangC(c, a) * meanService) / (c * (1 - rho));
}
