// `npm run bench [-- --quick] [-- --only NAME]`: runs every bench/<name>.ts, prints one table and writes
// bench/results.json, so a later change can be compared with the same command.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';
import type { BenchResult } from './types.js';

const quick = process.argv.includes('--quick');
const onlyIdx = process.argv.indexOf('--only');
const only = onlyIdx > 0 ? process.argv[onlyIdx + 1]?.split(',') : undefined;

const HELPERS = new Set(['run', 'types', 'child', 'synthetic', 'reconcile-estate', 'history-child']);
const names = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.ts') && !HELPERS.has(f.replace(/\.ts$/, ''))).map((f) => f.replace(/\.ts$/, '')).filter((n) => !only || only.includes(n));

const rows: (BenchResult & { bench: string })[] = [];
for (const name of names) {
  const mod = await import(`./${name}.ts`) as { run?: (o: { quick: boolean }) => Promise<BenchResult[]> };
  if (!mod.run) continue;
  process.stderr.write(`running ${name}…\n`);
  const t0 = Date.now();
  try {
    for (const r of await mod.run({ quick })) rows.push({ bench: name, ...r });
  } catch (e) {
    rows.push({ bench: name, name: `${name} (failed)`, metric: 'error', value: NaN, unit: (e as Error).message.slice(0, 200), ok: false });
  }
  process.stderr.write(`  ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en') : String(v));
const header = ['benchmark', 'metric', 'value', 'target', 'met'];
const table = rows.map((r) => [r.name, r.metric, `${fmt(r.value)} ${r.unit}`, r.target ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const t of table) console.log(line(t));
const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 2 ** 30), arch: arch() };
console.log(`\nmachine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGB} GB, node ${machine.node}${quick ? ' (quick sizes)' : ''}`);
// --only refreshes those benchmarks' rows and keeps the others', so results.json always holds the whole table.
const file = new URL('./results.json', import.meta.url);
let kept: typeof rows = [];
if (only && existsSync(file)) {
  try { kept = (JSON.parse(readFileSync(file, 'utf8')) as { results: typeof rows }).results.filter((r) => !only.includes(r.bench)); } catch { kept = []; }
}
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), quick, machine, results: [...kept, ...rows].sort((a, b) => a.bench.localeCompare(b.bench)) }, null, 2) + '\n');
