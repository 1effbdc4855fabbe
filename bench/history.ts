// History growth (issue 19): nightly collections of one estate into one database file. Target: 30 runs of an
// unchanged 1M-record estate grow the file by ≤ 10% of the first run's size; with 1% of records changing each night,
// by ≤ 5% (read here as ≤ 5% per night on average, the stricter reading of "a run with 1% churn adds ≤ 5%").
import { spawnSync } from 'node:child_process';
import type { BenchOptions, BenchResult } from './types.js';

function child(...args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./history-child.ts', import.meta.url).pathname, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`history ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const records = opts.quick ? 100_000 : 1_000_000;
  const runs = opts.quick ? 10 : 30;
  const out: BenchResult[] = [];
  const label = `${records.toLocaleString('en')} records × ${runs} nightly collections`;
  const same = child(String(records), String(runs), '0');
  out.push({ name: `history, unchanged estate (${label})`, metric: 'file growth vs first run', value: Number(same.growthPct!.toFixed(1)), unit: '%', target: '≤ 10%', ok: same.growthPct! <= 10 });
  out.push({ name: `history, unchanged estate (${label})`, metric: 'first run / later run (collect + merge)', value: Number(same.laterRunSeconds!.toFixed(2)), unit: `s (first ${same.firstRunSeconds!.toFixed(2)} s, ${same.firstMB!.toFixed(0)} MB)` });
  const churn = child(String(records), String(runs), '0.01');
  const perNight = churn.growthPct! / (runs - 1);
  out.push({ name: `history, 1% churn per night (${label})`, metric: 'file growth per night', value: Number(perNight.toFixed(2)), unit: `% (${churn.growthPct!.toFixed(1)}% over ${runs - 1} nights)`, target: '≤ 5%', ok: perNight <= 5 });
  // With reconcile: what a nightly scan stores (records and findings, every run's findings kept). The target
  // reads "30 nightly runs of an unchanged 1M-record estate", so the full bench measures it at that size and count; a
  // smaller case (100k × 10, and the only one with --quick) is printed beside it. The target is read on the file; the
  // data (blocks in use) is printed beside it, because the file also keeps DuckDB's working space: a checkpoint writes
  // the row groups it merges before it frees the old ones (docs/benchmarks.md, "History").
  const cases: Array<[number, number]> = opts.quick ? [[20_000, 10]] : [[100_000, 10], [records, runs]];
  for (const [fr, nights] of cases) {
    const withFindings = child(String(fr), String(nights), '0', 'reconcile');
    const wf = `history with findings, unchanged estate (${fr.toLocaleString('en')} records × ${nights} nightly scans)`;
    out.push({ name: wf, metric: 'file growth vs first run', value: Number(withFindings.growthPct!.toFixed(1)), unit: `% (${withFindings.firstMB!.toFixed(1)} → ${withFindings.lastMB!.toFixed(1)} MB)`, target: '≤ 10%', ok: withFindings.growthPct! <= 10 });
    out.push({ name: wf, metric: 'file growth, nights 2 → last', value: Number(withFindings.growthAfterSecondPct!.toFixed(1)), unit: `% (${withFindings.secondMB!.toFixed(1)} → ${withFindings.lastMB!.toFixed(1)} MB)` });
    out.push({ name: wf, metric: 'data growth (blocks in use)', value: Number(withFindings.usedGrowthPct!.toFixed(1)), unit: `% (${withFindings.firstUsedMB!.toFixed(1)} → ${withFindings.lastUsedMB!.toFixed(1)} MB; findings ${withFindings.findingsFirst} → ${withFindings.findingsLast} open)` });
    out.push({ name: wf, metric: 'first run / later run (collect + reconcile + checkpoint)', value: Number(withFindings.laterRunSeconds!.toFixed(2)), unit: `s (first ${withFindings.firstRunSeconds!.toFixed(2)} s)` });
  }
  return out;
}
