// GitHub collection cost: an organisation of 2,000 repositories on the simulator with 20 ms latency per request.
// Reports calls, the 304 share of an unchanged re-scan, and wall time against the lower bound
// calls × latency ÷ concurrency; with the client's and the simulator's CPU per 1,000 calls and the load average, since
// both share the machine's cores. `npm run bench -- --quick` uses 200 repositories.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { BenchOptions, BenchResult } from './types.js';
import { loadConfig } from '../src/config/load.js';
import { Store } from '../src/store/store.js';
import { createRun } from '../src/store/runs.js';
import { collect } from '../src/pipeline/collect.js';
import { silentLogger } from '../src/log.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const LATENCY_MS = 20;
const CONCURRENCY = 16;

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const repos = opts.quick ? 200 : 2000;
  const name = `github collection (${repos.toLocaleString('en')} repos, ${LATENCY_MS} ms latency, concurrency ${CONCURRENCY})`;
  // The simulator runs in its own process, like a remote API: its CPU is not charged to the client's event loop.
  // An App installation on Enterprise Cloud has 15,000 requests an hour; a 304 costs none.
  const sim = await startSimProcess(['--repos', String(repos), '--latency', String(LATENCY_MS), '--seed', '42', '--rate-limit', '15000']);
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-github-'));
  const store = await Store.open(join(dir, 'bench.duckdb'));
  try {
    writeFileSync(join(dir, 'nhi-recon.yaml'), stringify({
      sources: [{ name: 'gh', type: 'github', tenants: ['acme'], concurrency: CONCURRENCY,
        options: { base_url: sim.url, token_env: 'GH_TOKEN', skip: ['fine_grained_pats'] } }],
      authority: { required: false },
    }));
    const loaded = await loadConfig(join(dir, 'nhi-recon.yaml'));
    const env = { GH_TOKEN: sim.token };
    const scan = async () => {
      const r = await createRun(store);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const sim0 = processCpuSeconds(sim.child.pid);
      const outcomes = await store.transaction(() => collect(store, loaded, { runId: r.run_id, log: silentLogger, env }));
      const cpu = process.cpuUsage(cpu0);
      const simCpu = (processCpuSeconds(sim.child.pid) ?? NaN) - (sim0 ?? NaN);
      const o = outcomes[0]!;
      if (o.status !== 'complete') throw new Error(`benchmark collection ended ${o.status}: ${o.error}`);
      return { seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, simCpu, calls: o.api_calls, cached: o.cached_calls, budget: o.rate_budget_used, rows: o.rows };
    };
    const load = loadavg()[0]!;
    const first = await scan();
    const second = await scan();
    const bound = (calls: number) => (calls * LATENCY_MS) / CONCURRENCY / 1000;
    const ratio1 = first.seconds / bound(first.calls);
    const ratio2 = second.seconds / bound(second.calls);
    return [
      { name, metric: 'API calls, full scan', value: first.calls, unit: 'calls' },
      { name, metric: 'API calls per repository', value: round(first.calls / repos, 2), unit: 'calls' },
      { name, metric: 'rows collected', value: first.rows, unit: 'rows' },
      { name, metric: 'rate budget used, full scan', value: first.budget, unit: 'requests' },
      { name, metric: 'wall time, full scan', value: round(first.seconds, 2), unit: 's' },
      { name, metric: 'lower bound, full scan (calls × latency ÷ concurrency)', value: round(bound(first.calls), 2), unit: 's' },
      { name, metric: 'full scan / lower bound', value: round(ratio1, 2), unit: '×', target: '≤ 1.25× lower bound', ok: ratio1 <= 1.25 },
      { name, metric: 'client CPU per 1,000 calls, full scan', value: round((first.cpu / first.calls) * 1000, 2), unit: 's' },
      // The simulator shares the machine's cores: its CPU is reported so a wall-time ratio can be read honestly.
      ...(Number.isFinite(first.simCpu) ? [{ name, metric: 'simulator CPU per 1,000 calls, full scan', value: round((first.simCpu / first.calls) * 1000, 2), unit: 's' }] : []),
      { name, metric: 'load average (1 min) when the scans started', value: round(load, 2), unit: '' },
      { name, metric: '304 fraction, unchanged re-scan', value: round(second.cached / second.calls, 4), unit: 'fraction', target: '≥ 0.99', ok: second.cached / second.calls >= 0.99 },
      { name, metric: 'rate budget used, re-scan', value: second.budget, unit: 'requests' },
      { name, metric: 'wall time, re-scan', value: round(second.seconds, 2), unit: 's' },
      { name, metric: 'client CPU per 1,000 calls, re-scan', value: round((second.cpu / second.calls) * 1000, 2), unit: 's' },
      { name, metric: 're-scan / lower bound', value: round(ratio2, 2), unit: '×', target: '≤ 1.25× lower bound', ok: ratio2 <= 1.25 },
    ];
  } finally {
    store.close();
    sim.child.kill('SIGTERM');
    await once(sim.child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startSimProcess(args: string[]): Promise<{ url: string; token: string; child: ChildProcess }> {
  const main = new URL('../src/sim/github/main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return { url, token, child };
}

/** CPU seconds (user + system) a child has used so far, from /proc on Linux; undefined elsewhere. */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks (100/s).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return undefined; }
}

function round(v: number, digits: number): number { const f = 10 ** digits; return Math.round(v * f) / f; }

if (import.meta.url === `file://${process.argv[1]}`) {
  run({ quick: process.argv.includes('--quick') }).then((rows) => { for (const r of rows) console.log(`${r.metric}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}: ${r.ok ? 'ok' : 'MISSED'})` : ''}`); });
}
