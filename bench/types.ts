// One row of the benchmark table. Each bench/<name>.ts exports `run(opts)` returning rows; bench/run.ts prints them
// as one table and writes bench/results.json.
export interface BenchResult {
  /** Benchmark group, e.g. "github collection (2,000 repos, 20 ms latency)". */
  name: string;
  metric: string;
  value: number;
  unit: string;
  /** The target this figure is held to, as text (e.g. "≤ 1.25× lower bound"). */
  target?: string;
  /** Whether the target is met; undefined when the row is informational. */
  ok?: boolean;
}

export interface BenchOptions {
  /** Smaller sizes for a quick run (npm run bench -- --quick). */
  quick: boolean;
}
