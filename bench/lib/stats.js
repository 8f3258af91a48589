// Percentiles over raw float samples (ms). autocannon's own histogram rounds to whole milliseconds, which
// is too coarse for sub-millisecond added latency, so the harness keeps every sample.
export class Samples {
  constructor(capacity = 1 << 16) {
    this.values = new Float64Array(capacity);
    this.length = 0;
  }
  push(v) {
    if (this.length === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = v;
  }
  summary() {
    const sorted = this.values.slice(0, this.length).sort();
    const n = sorted.length;
    const pct = (p) => (n === 0 ? null : sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i];
    return {
      count: n,
      mean: n ? sum / n : null,
      p50: pct(50),
      p90: pct(90),
      p99: pct(99),
      max: n ? sorted[n - 1] : null,
    };
  }
}

export const round = (v, digits = 2) => (v == null || Number.isNaN(v) ? null : Number(v.toFixed(digits)));
