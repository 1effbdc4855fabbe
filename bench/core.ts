// Store ingest, reconcile and collection memory: the core's own figures (issue 8).
import { spawnSync } from 'node:child_process';
import type { BenchOptions, BenchResult } from './types.js';

function child(...args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./child.ts', import.meta.url).pathname, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`benchmark ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  // Ingest: identities × (1 identity + 1 credential + 3 entitlements) records through connector → sink → appender.
  // Three runs, the median reported (all three named): on this 2-core VM one run varies by ±20% with the host's load.
  const ingestIds = opts.quick ? 20_000 : 200_000;
  const runs = [0, 1, 2].map(() => child('ingest', String(ingestIds)).rowsPerSecond!).sort((a, b) => a - b);
  const ing = runs[1]!;
  out.push({ name: `store ingest (${(ingestIds * 5).toLocaleString('en')} records, connector → store; median of ${runs.map((r) => Math.round(r / 1000) + 'k').join(', ')})`, metric: 'rows/s', value: Math.round(ing), unit: 'rows/s', target: '≥ 100,000', ok: ing >= 100_000 });

  // Reconcile at 1M entitlements / 300k exact grants / 2k glob grants (issue #19): 1M ≤ 5 s and ≤ 1 GB peak RSS;
  // 10M ≤ 60 s with peak RSS ≤ 1.25 × its 2 GB memory_limit. CPU seconds are printed too: on a shared machine the wall
  // time follows the load average, which the row names. 1M runs under memory_limit 512MB: the process peaks at about
  // the limit plus 450 MB (Node, DuckDB's allocations outside its buffer pool), so a 1 GB peak needs a limit near
  // half of it; measured, it costs about 1 s of 16 against a 1 GB limit (docs/benchmarks.md).
  const sizes = opts.quick ? [100_000] : [1_000_000, 10_000_000];
  for (const n of sizes) {
    const big = n > 1_000_000;
    const rec = child('reconcile', String(n), big ? '2GB' : '512MB');
    const label = `reconcile (${n.toLocaleString('en')} entitlements, ${Math.round(n * 0.3).toLocaleString('en')} grants, 2,000 glob; memory_limit ${big ? '2GB' : '512MB'}; load ${rec.loadAverage!.toFixed(1)})`;
    out.push({ name: label, metric: 'time', value: Number(rec.seconds!.toFixed(2)), unit: 's', target: big ? '≤ 60 s' : '≤ 5 s', ok: rec.seconds! <= (big ? 60 : 5) });
    out.push({ name: label, metric: 'CPU time', value: Number(rec.cpuSeconds!.toFixed(1)), unit: 's' });
    out.push({ name: label, metric: 'findings', value: rec.findings!, unit: '' });
    out.push({ name: label, metric: 'peak RSS', value: Math.round(rec.maxRssMB!), unit: 'MB', target: big ? '≤ 2,560 MB (1.25 × memory_limit 2GB)' : '≤ 1,024 MB', ok: rec.maxRssMB! <= (big ? 2560 : 1024) });
  }

  // Reports of a run with 1M findings (100k quick), every format at once, in one process: time and peak RSS.
  const nf = opts.quick ? 100_000 : 1_000_000;
  const rep = child('report', String(nf), 'all');
  const rlabel = `reports, all formats (${nf.toLocaleString('en')} findings; load ${rep.loadAverage!.toFixed(1)})`;
  out.push({ name: rlabel, metric: 'time', value: Number(rep.seconds!.toFixed(1)), unit: 's' });
  out.push({ name: rlabel, metric: 'CPU time', value: Number(rep.cpuSeconds!.toFixed(1)), unit: 's' });
  out.push({ name: rlabel, metric: 'peak RSS', value: Math.round(rep.maxRssMB!), unit: 'MB', target: '≤ 1,024 MB (bounded: streamed)', ok: rep.maxRssMB! <= 1024 });

  // Memory while collecting: flat between 100k and 1M records.
  const small = child('ingest', String(opts.quick ? 10_000 : 20_000));
  const large = child('ingest', String(opts.quick ? 50_000 : 200_000));
  const delta = large.maxRssMB! - small.maxRssMB!;
  out.push({ name: `collect peak RSS (${(small.rows!).toLocaleString('en')} → ${(large.rows!).toLocaleString('en')} records)`, metric: 'RSS growth', value: Math.round(delta), unit: 'MB', target: '≤ +200 MB', ok: delta <= 200 });
  out.push({ name: `collect peak RSS (${(large.rows!).toLocaleString('en')} records)`, metric: 'peak RSS', value: Math.round(large.maxRssMB!), unit: 'MB' });
  return out;
}
