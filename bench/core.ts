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
  const ingestIds = opts.quick ? 20_000 : 200_000;
  const ing = child('ingest', String(ingestIds));
  out.push({ name: `store ingest (${(ingestIds * 5).toLocaleString('en')} records, connector → store)`, metric: 'rows/s', value: Math.round(ing.rowsPerSecond!), unit: 'rows/s', target: '≥ 100,000', ok: ing.rowsPerSecond! >= 100_000 });

  // Reconcile at 1M entitlements / 300k exact grants / 2k glob grants.
  const sizes = opts.quick ? [100_000] : [1_000_000, 10_000_000];
  for (const n of sizes) {
    const rec = child('reconcile', String(n), n > 1_000_000 ? '2GB' : '1GB');
    const big = n > 1_000_000;
    out.push({ name: `reconcile (${n.toLocaleString('en')} entitlements, ${Math.round(n * 0.3).toLocaleString('en')} grants, 2,000 glob)`, metric: 'time', value: Number(rec.seconds!.toFixed(2)), unit: 's', target: big ? 'report' : '≤ 5 s', ok: big ? undefined : rec.seconds! <= 5 });
    out.push({ name: `reconcile (${n.toLocaleString('en')} entitlements)`, metric: 'peak RSS', value: Math.round(rec.maxRssMB!), unit: 'MB', target: big ? 'bounded by memory_limit 2GB' : '≤ 1,024 MB', ok: big ? rec.maxRssMB! <= 2600 : rec.maxRssMB! <= 1024 });
  }

  // Memory while collecting: flat between 100k and 1M records.
  const small = child('ingest', String(opts.quick ? 10_000 : 20_000));
  const large = child('ingest', String(opts.quick ? 50_000 : 200_000));
  const delta = large.maxRssMB! - small.maxRssMB!;
  out.push({ name: `collect peak RSS (${(small.rows!).toLocaleString('en')} → ${(large.rows!).toLocaleString('en')} records)`, metric: 'RSS growth', value: Math.round(delta), unit: 'MB', target: '≤ +200 MB', ok: delta <= 200 });
  out.push({ name: `collect peak RSS (${(large.rows!).toLocaleString('en')} records)`, metric: 'peak RSS', value: Math.round(large.maxRssMB!), unit: 'MB' });
  return out;
}
