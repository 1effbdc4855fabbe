// Crash safety: a real nhi-recon process is SIGKILLed at random points of collect, reconcile and report (and of the
// plain CLI commands), many times. After each kill the database opens, every earlier committed run is unchanged, no
// half run reads as complete, every report on disk is whole and private, and the next run succeeds.
// NHI_SOAK=1 (npm run soak) raises the number of kills from 10 to 100. Seed: NHI_KILL_SEED (printed on failure).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { COMMANDS } from '../../src/commands/index.js';
import { createLogger } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { resolveRun } from '../../src/store/runs.js';
import { rng } from '../../src/sim/http.js';
import { tempDir } from '../helpers/index.js';
import { writeEstate, type Estate } from './estate.js';
import { runChild } from './kill.js';

const SOAK = Boolean(process.env.NHI_SOAK);
const KILLS = SOAK ? 100 : 10;
const SEED = Number(process.env.NHI_KILL_SEED ?? Date.now() % 100_000);
const N = 60;

interface RunSnap {
  status: string; state: string; reconciled: boolean; ids: number; creds: number; ents: number; srs: number; grants: number;
  findings: number; finding_set: string; finding_state: string;
}

async function snapshot(db: string): Promise<Map<string, RunSnap>> {
  // Opening read-write is what the next run does first: it also marks the killed run failed.
  const store = await Store.open(db);
  try {
    const rows = await store.all<RunSnap & { run_id: string } & Record<string, unknown>>(`
      SELECT r.run_id, r.status, coalesce(r.state, '') AS state, r.reconciled_at IS NOT NULL AS reconciled,
        (SELECT count(*) FROM identities x WHERE x.run_id = r.run_id)::INT AS ids,
        (SELECT count(*) FROM credentials x WHERE x.run_id = r.run_id)::INT AS creds,
        (SELECT count(*) FROM entitlements x WHERE x.run_id = r.run_id)::INT AS ents,
        (SELECT count(*) FROM source_runs x WHERE x.run_id = r.run_id)::INT AS srs,
        (SELECT count(*) FROM grants x WHERE x.run_id = r.run_id)::INT AS grants,
        (SELECT count(*) FROM findings x WHERE x.run_id = r.run_id)::INT AS findings,
        coalesce((SELECT md5(string_agg(finding_id, ',' ORDER BY finding_id)) FROM findings x WHERE x.run_id = r.run_id), '') AS finding_set,
        coalesce((SELECT md5(string_agg(finding_id || status || severity, ',' ORDER BY finding_id)) FROM findings x WHERE x.run_id = r.run_id), '') AS finding_state
      FROM runs r ORDER BY seq`);
    const latest = await resolveRun(store, 'latest');
    if (latest) expect(rows.find((r) => r.run_id === latest.run_id)?.reconciled, 'the latest run a report reads was reconciled').toBe(true);
    return new Map(rows.map(({ run_id, ...r }) => [run_id, r]));
  } finally { store.close(); }
}

interface Baseline { snap: RunSnap; grants: number; reports: Record<string, number> }

function checkRuns(est: Estate, base: Baseline, before: Map<string, RunSnap>, after: Map<string, RunSnap>, what: string): void {
  for (const [id, r] of after) {
    expect(['complete', 'partial', 'failed'], `${what}: run ${id} status`).toContain(r.status);
    if (r.status === 'failed') {
      // The collect transaction rolled back: nothing of a failed run is half-written.
      expect({ ids: r.ids, creds: r.creds, ents: r.ents, srs: r.srs, grants: r.grants, findings: r.findings }, `${what}: failed run ${id} holds no rows`)
        .toEqual({ ids: 0, creds: 0, ents: 0, srs: 0, grants: 0, findings: 0 });
    } else {
      expect({ status: r.status, ids: r.ids, creds: r.creds, ents: r.ents, srs: r.srs, grants: r.grants }, `${what}: committed run ${id} is whole`)
        .toEqual({ status: 'complete', ids: est.expected.identities, creds: est.expected.credentials, ents: est.expected.entitlements, srs: 1, grants: base.grants });
    }
    // Only a run whose reconcile committed is evidence; one killed before that is visibly unreconciled or failed.
    expect(r.reconciled ? ['reconciled', 'reported'] : ['collected', 'failed'], `${what}: run ${id} state`).toContain(r.state);
    if (r.findings > 0 || r.reconciled) {
      expect({ reconciled: r.reconciled, findings: r.findings, set: r.finding_set }, `${what}: findings of ${id} are all or nothing`)
        .toEqual({ reconciled: true, findings: base.snap.findings, set: base.snap.finding_set });
    }
  }
  for (const [id, r] of before) expect(after.get(id), `${what}: earlier run ${id} unchanged`).toEqual(r);
}

/** Counts of records in each report, checking that each file is whole and owner-only. */
function readReports(dir: string, reconciled: Set<string>, what: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const st = statSync(p);
    expect(st.mode & 0o077, `${what}: ${f} is private`).toBe(0);
    if (st.isDirectory()) continue; // a temp folder a SIGKILL left behind: private (checked above), never read as a report
    if (f === 'manifest.json' || f.startsWith('.')) continue;
    const text = readFileSync(p, 'utf8');
    if (f === 'report.json') {
      const j = JSON.parse(text) as { run: { run_id: string }; findings: unknown[] };
      expect(reconciled.has(j.run.run_id), `${what}: report.json is of a reconciled run`).toBe(true);
      out[f] = j.findings.length;
    } else if (f.endsWith('.jsonl')) {
      const lines = text.split('\n').filter(Boolean);
      for (const l of lines) JSON.parse(l);
      out[f] = lines.length;
    } else if (f.endsWith('.csv')) {
      expect(text.endsWith('\n'), `${what}: ${f} ends with a newline`).toBe(true);
      out[f] = text.split('\n').length;
    } else if (f.endsWith('.html')) {
      expect(text.trimEnd().endsWith('</html>'), `${what}: ${f} is whole`).toBe(true);
      out[f] = text.length > 0 ? 1 : 0;
    } else if (f.endsWith('.md')) {
      expect(text.endsWith('\n'), `${what}: ${f} is whole`).toBe(true);
      out[f] = 1;
    }
  }
  // The set is one unit: unless a swap is in flight (its marker present), every file is the one the manifest names.
  if (existsSync(join(dir, 'manifest.json')) && !existsSync(join(dir, '.nhi-recon-swap.json'))) {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { run_id: string; files: { name: string; sha256: string }[] };
    expect(reconciled.has(m.run_id), `${what}: the report set is of a reconciled run`).toBe(true);
    for (const f of m.files) expect(createHash('sha256').update(readFileSync(join(dir, f.name))).digest('hex'), `${what}: ${f.name} belongs to the set`).toBe(f.sha256);
  }
  return out;
}

/** No command reads an unfinished run as clean: runs shows it as not evidence, report and diff refuse it (exit 3). */
async function checkReaders(config: string, after: Map<string, RunSnap>, what: string): Promise<void> {
  const out: string[] = [];
  expect(await main(['runs', '--config', config, '--json', '--limit', '1000'], { out: (l) => out.push(l), log: createLogger({ write: () => undefined }), interactive: false })).toBe(0);
  const rows = JSON.parse(out.join('\n')) as { run_id: string; seq: number; evidence: boolean; open: number | null }[];
  for (const r of rows) {
    const snap = after.get(r.run_id)!;
    expect(r.evidence, `${what}: runs --json evidence of #${r.seq}`).toBe(snap.reconciled);
    if (!snap.reconciled) {
      expect(r.open, `${what}: #${r.seq} is never counted as 0 open`).toBeNull();
      expect((await cli(['report', '--config', config, '--run', String(r.seq), '--format', 'json', '--out', join(config, '..', 'refused')])).code, `${what}: report --run ${r.seq}`).toBe(3);
      expect(existsSync(join(config, '..', 'refused', 'report.json')), `${what}: nothing written for #${r.seq}`).toBe(false);
    }
  }
}

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => undefined, log: createLogger({ write: (l) => err.push(l) }), interactive: false });
  return { code, err: err.join('\n') };
}

describe(`crash safety (${KILLS} kills, seed ${SEED})`, () => {
  it('SIGKILL at random points of collect, reconcile and report: committed runs intact, no half run, next run succeeds', { timeout: SOAK ? 3_600_000 : 600_000 }, async () => {
    const est = writeEstate(tempDir(), N);
    // Calibration: one full, unkilled child run gives the stage timings and the baseline every later run must match.
    const cal = await runChild(['stages', est.config]);
    expect(cal.code, cal.stderr).toBe(0);
    const stageMs = {
      collect: cal.marks.reconcile! - cal.marks.collect!,
      reconcile: cal.marks.report! - cal.marks.reconcile!,
      report: cal.marks.done! - cal.marks.report!,
    };
    let snap = await snapshot(est.db);
    const first = [...snap.values()][0]!;
    expect(first).toMatchObject({ status: 'complete', reconciled: true, ids: N, creds: N, ents: N });
    expect(first.findings).toBeGreaterThan(N);
    const base: Baseline = { snap: first, grants: first.grants, reports: {} };
    base.reports = readReports(est.reports, new Set(snap.keys()), 'baseline');
    expect(Object.keys(base.reports).sort()).toEqual(['findings.csv', 'findings.ocsf.jsonl', 'guards.csv', 'report.html', 'report.json', 'summary.md']);
    const cliMs = (await runChild(['cli', 'scan', '--config', est.config, '--quiet'])).marks;
    const cliTotal = cliMs.done! - cliMs.start!;
    snap = await snapshot(est.db);

    const rand = rng(SEED);
    // `report` joins the CLI targets once the command is registered (the reports work lands it).
    const hasReport = COMMANDS.some((c) => c.command.split(' ')[0] === 'report');
    const targets = ['collect', 'reconcile', 'report', 'cli scan', 'cli collect', 'cli reconcile', 'cli plan', ...(hasReport ? ['cli report'] : [])];
    const tally: Record<string, { tried: number; killed: number }> = {};
    let kills = 0;
    for (let i = 0; kills < KILLS && i < KILLS * 3; i++) {
      const target = targets[i % targets.length]!;
      const what = `kill #${i} (${target}, seed ${SEED})`;
      let res;
      if (target.startsWith('cli ')) {
        const cmd = target.slice(4);
        const argv = ['cli', cmd, '--config', est.config, '--quiet', ...(cmd === 'plan' ? ['--plan-dir', join(est.dir, 'plans')] : [])];
        // The CLI prints no stage markers: kill anywhere in the time a whole scan takes.
        res = await runChild(argv, { kill: { at: 'start', afterMs: Math.floor(rand() * cliTotal) } });
      } else {
        // Aim inside the first half of the calibrated stage: later runs are often faster than the cold calibration run,
        // and a kill aimed past the stage's end would land in the next stage (or after exit) instead.
        res = await runChild(['stages', est.config], { kill: { at: target, afterMs: Math.floor(rand() * stageMs[target as keyof typeof stageMs] * 0.5) } });
      }
      (tally[target] ??= { tried: 0, killed: 0 }).tried++;
      if (res.killed) { kills++; tally[target]!.killed++; expect(res.signal, what).toBe('SIGKILL'); } else if (target === 'cli reconcile' && res.code === 2) expect(res.stderr, what).toMatch(/is already reconciled/); // D21: never recomputed
      else expect(res.code, `${what}: ${res.stderr}`).toBeLessThanOrEqual(1);

      const after = await snapshot(est.db);
      // A killed plan leaves no half plan: every plan file on disk is whole JSON (plans are written temp + rename).
      if (existsSync(join(est.dir, 'plans'))) for (const f of readdirSync(join(est.dir, 'plans')).filter((x) => x.endsWith('.json'))) JSON.parse(readFileSync(join(est.dir, 'plans', f), 'utf8'));
      checkRuns(est, base, snap, after, what);
      const reconciled = new Set([...after].filter(([, r]) => r.reconciled).map(([id]) => id));
      const reports = readReports(est.reports, reconciled, what);
      expect(reports, `${what}: every report whole`).toEqual(base.reports);
      await checkReaders(est.config, after, what);
      // The next run succeeds (in-process; every format, since a report set replaces the whole folder).
      const next = await cli(['scan', '--config', est.config, '--quiet']);
      expect(next.code, `${what}: next scan: ${next.err}`).toBe(0);
      snap = await snapshot(est.db);
      checkRuns(est, base, after, snap, `${what} then a scan`);
    }
    expect(kills, `kills delivered: ${JSON.stringify(tally)}`).toBe(KILLS);
    for (const t of ['collect', 'reconcile', 'report'] as const) expect(tally[t]!.killed, `kills inside ${t}: ${JSON.stringify(tally)}`).toBeGreaterThan(0);
    // Figures for docs/security.md.
    writeFileSync(join(est.dir, 'tally.json'), JSON.stringify(tally));
    console.log(`crash safety: ${kills} kills survived (seed ${SEED}): ${JSON.stringify(tally)}`);
  });

  it('two runs started at once against one database: the second refuses clearly (exit 5), the first commits', { timeout: 300_000 }, async () => {
    const est = writeEstate(tempDir(), 10, { formats: ['json'] });
    const go = join(est.dir, 'go');
    // The first run holds the database (paused inside collect); the second starts while it does.
    let holding = false;
    const firstP = runChild(['stages', est.config], { env: { ...process.env, NHI_TEST_PAUSE: `collect:${go}` }, onMark: (s) => { if (s === 'collect') holding = true; } });
    for (let t = Date.now(); !holding; ) {
      if (Date.now() - t > 60_000) throw new Error('first run never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = await runChild(['cli', 'scan', '--config', est.config]);
    expect(second.code, second.stderr).toBe(5);
    expect(second.stderr).toMatch(/another nhi-recon run is using the database .*recon\.duckdb; wait for it to finish/);
    expect(second.stderr).not.toMatch(/\n\s+at /); // no stack trace
    writeFileSync(go, '');
    const first = await firstP;
    expect(first.code, first.stderr).toBe(0);
    const snap = await snapshot(est.db);
    expect([...snap.values()].map((r) => [r.status, r.reconciled, r.ids])).toEqual([['complete', true, 10]]);

    // Started at the same instant, as two cron jobs would: each either commits or refuses with exit 5; never both half.
    const pair = await Promise.all([runChild(['cli', 'scan', '--config', est.config, '--quiet']), runChild(['cli', 'scan', '--config', est.config, '--quiet'])]);
    for (const r of pair) {
      expect([0, 5], r.stderr).toContain(r.code);
      if (r.code === 5) expect(r.stderr).toMatch(/another nhi-recon run is using the database/);
    }
    const after = await snapshot(est.db);
    const committed = [...after.values()].filter((r) => r.status === 'complete');
    expect(committed).toHaveLength(1 + pair.filter((r) => r.code === 0).length);
    for (const r of after.values()) expect(r).toMatchObject({ status: 'complete', reconciled: true, ids: 10 });
  });
});
