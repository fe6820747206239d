/**
 * Reading `GET /metrics` back: the Prometheus text format (0.0.4) parsed into samples, and
 * a histogram's quantile over an interval (the difference of two scrapes), the way
 * Prometheus' `histogram_quantile` computes it. Used by the benchmarks (the hub's own
 * histograms, read from outside the process) and the tests.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parse the text format: `# HELP name …`, `# TYPE name kind`, then samples
 * `name{label="value",…} number`. Throws on a line that is none of these, or on a sample
 * whose family has no TYPE line: a scraper would refuse the page.
 */
export function parseExposition(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") types.set(meta[2] as string, meta[3] as string);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    const name = m[1] as string;
    if (!types.has(name) && !types.has(name.replace(/_(bucket|sum|count)$/, ""))) throw new Error(`sample without TYPE: ${line}`);
    const raw = m[3] as string;
    samples.push({ name, labels, value: raw === "+Inf" ? Number.POSITIVE_INFINITY : Number(raw) });
  }
  return samples;
}

/** The value of the one series with this name and these labels (0 when it does not exist yet). */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${hits.length} series`);
  return hits[0]?.value ?? 0;
}

/** A histogram over an interval: cumulative counts per upper bound (seconds), between two scrapes. */
export interface HistogramDelta {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export function histogramDelta(
  before: readonly Sample[],
  after: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): HistogramDelta {
  const les = after
    .filter((s) => s.name === `${name}_bucket` && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => s.labels.le as string);
  const buckets = les
    .map((le) => ({
      le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le),
      count: sampleValue(after, `${name}_bucket`, { ...labels, le }) - sampleValue(before, `${name}_bucket`, { ...labels, le }),
    }))
    .sort((a, b) => a.le - b.le);
  const d = (suffix: string) =>
    sampleValue(after, `${name}_${suffix}`, labels) - sampleValue(before, `${name}_${suffix}`, labels);
  return { buckets, count: d("count"), sum: d("sum") };
}

/**
 * The q-quantile (0…1) of a histogram, interpolated linearly inside its bucket as
 * Prometheus does; NaN when empty. Exact at bucket edges: "p99 ≤ 1 ms" holds exactly when
 * the 1 ms bucket holds at least 99 % of the samples.
 */
export function histogramQuantile(h: HistogramDelta, q: number): number {
  if (h.count <= 0) return Number.NaN;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1, b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** Share of the samples at or below `le` seconds (an exact bucket edge). */
export function fractionAtMost(h: HistogramDelta, le: number): number {
  const b = h.buckets.find((x) => Math.abs(x.le - le) < 1e-12);
  if (!b) throw new Error(`no bucket edge at ${le}`);
  return h.count > 0 ? b.count / h.count : Number.NaN;
}
