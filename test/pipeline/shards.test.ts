// Scale-out end to end through the CLI: shards collect into their own databases, export Parquet, and one
// `reconcile --from` merges them. The merged findings of healthy shards must equal a single unsharded run's; a failed
// or missing shard's tenants must stay incomplete, their earlier findings carried, never resolved.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { shardOf } from '../../src/pipeline/collect.js';
import { EXIT } from '../../src/errors.js';
import { tempDir } from '../helpers/index.js';
import { SOURCE, cli, writeAuthority, writeBrokenInventory, writeConfigFile, writeInventory } from './estate.js';

const TENANTS = Array.from({ length: 9 }, (_, i) => `acct-0${i + 1}`);
const N = 3;
const inShard = (k: number) => TENANTS.filter((t) => shardOf(SOURCE, t, N) === k);
const FAILING = 3;
const healthy = TENANTS.filter((t) => shardOf(SOURCE, t, N) !== FAILING);
const failing = inShard(FAILING);

interface FindingRow { finding_id: string; rule_id: string; severity: string; status: string; tenant: string; carried: boolean; reason: string }

async function findings(db: string): Promise<FindingRow[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await store.all<FindingRow & Record<string, unknown>>(
      `SELECT finding_id, rule_id, severity, status, tenant, carried, reason FROM findings
       WHERE run_id = (SELECT run_id FROM runs WHERE reconciled_at IS NOT NULL ORDER BY seq DESC LIMIT 1) ORDER BY finding_id`);
  } finally { store.close(); }
}

async function query<T extends Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  const store = await Store.open(db, { readOnly: true });
  try { return await store.all<T>(sql); } finally { store.close(); }
}

type Env = { dir: string; config: string; broken: string };

function setup(dir = tempDir('nhi-recon-shards-')): Env {
  writeInventory(join(dir, 'inventory'), TENANTS);
  writeBrokenInventory(join(dir, 'broken'), TENANTS);
  writeAuthority(dir, TENANTS);
  const config = writeConfigFile(dir, TENANTS);
  // The same source as the failing job sees it: unreadable. Only the shard run with this config fails.
  const broken = writeConfigFile(dir, TENANTS, 'broken', 'broken.yaml');
  return { dir, config, broken };
}

// Night 1, built once: every shard healthy, exported to exports/night-1 and merged into merged.duckdb, plus the same
// estate in one unsharded run (single.duckdb). Each test starts from a copy of it.
let template: string;
let night1: string[] = []; // export folder of shard k at [k], relative to the env dir
let merged1: FindingRow[] = [];
let single1: FindingRow[] = [];

beforeAll(async () => {
  template = mkdtempSync(join(tmpdir(), 'nhi-recon-shards-template-'));
  const env = setup(template);
  for (let k = 1; k <= N; k++) night1[k] = relative(template, exportFolder(await shardJob(env, k, join(template, 'exports', 'night-1'))));
  const m = await merge(env, `${template}/exports/night-1/**/*.parquet`);
  expect(m.code, m.out + m.err).toBe(EXIT.ok);
  merged1 = await findings(join(template, 'merged.duckdb'));
  single1 = await single(env);
}, 180_000);
afterAll(() => { if (template) rmSync(template, { recursive: true, force: true }); });

/** A private copy of the night-1 state. */
function fromTemplate(): Env {
  const dir = tempDir('nhi-recon-shards-');
  cpSync(template, dir, { recursive: true });
  return { dir, config: join(dir, 'nhi-recon.yaml'), broken: join(dir, 'broken.yaml') };
}

const exportFolder = (files: string[]) => files[0]!.replace(/\/identities\.parquet$/, '');

/** One shard's job: collect shard k of N into its own database, then export the run as Parquet. */
async function shardJob(env: Env, k: number, exportDir: string, opts: { fail?: boolean } = {}) {
  const db = join(env.dir, `shard-${k}.duckdb`);
  const c = await cli(['collect', '--config', opts.fail ? env.broken : env.config, '--db', db, '--shard', `${k}/${N}`, '--quiet']);
  expect(c.code, c.out + c.err).toBe(opts.fail ? EXIT.incomplete : EXIT.ok);
  const e = await cli(['export', '--config', env.config, '--db', db, '--parquet', exportDir, '--quiet']);
  expect(e.code, e.err).toBe(EXIT.ok);
  return e.out.split('\n');
}

async function merge(env: Env, glob: string) {
  return cli(['reconcile', '--config', env.config, '--db', join(env.dir, 'merged.duckdb'), '--from', glob]);
}

/** The same estate collected and reconciled in one unsharded run. */
async function single(env: Env) {
  const db = join(env.dir, 'single.duckdb');
  expect((await cli(['collect', '--config', env.config, '--db', db, '--quiet'])).code).toBe(EXIT.ok);
  expect((await cli(['reconcile', '--config', env.config, '--db', db, '--quiet'])).code).toBe(EXIT.ok);
  return findings(db);
}

// Findings about the grant records alone (an expiry beyond policy, a missing owner, an overdue review, a mover) are
// judged from the authority files, which every shard loads completely: they neither depend on a tenant's collection
// nor carry with it, so the per-tenant collection comparisons leave them out (checked on their own below).
const AUTHORITY_ONLY = new Set(['grant-expiry-too-long', 'grant-without-owner', 'review-overdue', 'mover-access']);
const comparable = (rows: FindingRow[], tenants: string[]) => rows.filter((r) => tenants.includes(r.tenant) && !AUTHORITY_ONLY.has(r.rule_id));

describe('sharded collection merged by reconcile --from', () => {
  it('the fixture spreads its tenants over every shard', () => {
    for (let k = 1; k <= N; k++) expect(inShard(k).length, `shard ${k}`).toBeGreaterThanOrEqual(2);
  });

  it('healthy shards merged equal one unsharded run of the same estate', () => {
    expect(merged1.length).toBeGreaterThan(0);
    expect(merged1).toEqual(single1);
    const rules = new Set(merged1.map((f) => f.rule_id));
    for (const r of ['ungranted-access', 'over-privileged', 'expired-grant', 'unfulfilled-grant', 'orphaned-identity', 'departed-person-access'])
      expect(rules, r).toContain(r);
  });

  it('two shards plus one failed shard: the failed tenants are incomplete and carried, the others equal an unsharded run', async () => {
    const env = fromTemplate();
    // Night 2: an admin entitlement is removed in one healthy and one failing tenant; shard 3's job cannot read its source.
    const [h, f] = [healthy[0]!, failing[0]!];
    writeInventory(join(env.dir, 'inventory'), TENANTS, { drop: [`${h}:svc-ci|db|admin`, `${f}:svc-ci|db|admin`] });
    const night2 = join(env.dir, 'exports', 'night-2');
    for (let k = 1; k <= N; k++) await shardJob(env, k, night2, { fail: k === FAILING });
    const m2 = await merge(env, `${night2}/**/*.parquet`);
    expect(m2.code, m2.out + m2.err).toBe(EXIT.incomplete);
    for (const t of failing) expect(m2.out).toContain(`incomplete: ${SOURCE}/${t} (failed)`);
    const merged2 = await findings(join(env.dir, 'merged.duckdb'));
    const single2 = await single(env);

    // Healthy tenants: exactly the unsharded result, including what this night resolved.
    expect(comparable(merged2, healthy)).toEqual(comparable(single2, healthy));
    expect(comparable(merged2, [h]).filter((x) => x.status === 'resolved').length).toBeGreaterThan(0);

    // Failed tenants: every finding of night 1 is still there, open and carried; nothing resolved, nothing new.
    const before = comparable(merged1, failing);
    const after = comparable(merged2, failing);
    expect(after.map((x) => x.finding_id)).toEqual(before.map((x) => x.finding_id));
    expect(after.some((x) => x.rule_id === 'unfulfilled-grant')).toBe(true);
    for (const x of after) expect([x.status, x.carried], `${x.rule_id} ${x.tenant}`).toEqual(['open', true]);
    // Authority-only findings of the failed tenants are judged as in the unsharded run: from the grant files.
    const authority = (rows: FindingRow[]) => rows.filter((r) => failing.includes(r.tenant) && AUTHORITY_ONLY.has(r.rule_id)).map((r) => [r.finding_id, r.status, r.carried]);
    expect(authority(merged2)).toEqual(authority(single2));
    // The unsharded run, which could read the source, did resolve the removed entitlement's findings there.
    expect(comparable(single2, [f]).some((x) => x.status === 'resolved')).toBe(true);
    // The run is partial, and its failed tenants are the failing shard's, each with the error that stopped it.
    const sr = await query<{ tenant: string; status: string; error: string | null }>(join(env.dir, 'merged.duckdb'),
      `SELECT tenant, status, error FROM source_runs WHERE run_id = (SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1) ORDER BY tenant`);
    expect(sr.map((r) => r.tenant)).toEqual(TENANTS);
    expect(sr.filter((r) => r.status !== 'complete').map((r) => r.tenant)).toEqual(failing);
    expect(sr.find((r) => r.tenant === f)!.error).toContain('missing column(s) kind');
    const [run] = await query<{ status: string; origin: string }>(join(env.dir, 'merged.duckdb'), 'SELECT status, origin FROM runs ORDER BY seq DESC LIMIT 1');
    expect(run).toEqual({ status: 'partial', origin: 'merged' });
  });

  it('a failed shard on the first night: no unfulfilled-grant for its tenants, the rest as unsharded', async () => {
    const env = fromTemplate();
    const out = join(env.dir, 'exports', 'first');
    for (let k = 1; k < N; k++) cpSync(join(env.dir, night1[k]!), join(out, `shard-${k}`), { recursive: true });
    await shardJob(env, FAILING, out, { fail: true });
    const m = await cli(['reconcile', '--config', env.config, '--db', join(env.dir, 'fresh.duckdb'), '--from', `${out}/**/*.parquet`]);
    expect(m.code).toBe(EXIT.incomplete);
    const merged = await findings(join(env.dir, 'fresh.duckdb'));
    expect(comparable(merged, failing)).toEqual([]);
    // A grant of a tenant nobody could read is not "unfulfilled": absence there proves nothing.
    expect(merged.filter((x) => x.rule_id === 'unfulfilled-grant').map((x) => x.tenant).sort()).toEqual(healthy);
    expect(comparable(merged, healthy)).toEqual(comparable(single1, healthy));
  });

  it('a shard whose source failed before listing tenants (tenant *): every tenant of that source stays incomplete', async () => {
    const env = fromTemplate();
    // Conservative by design: that shard cannot say which tenants it had, so no tenant of the source may resolve.
    const gone = writeConfigFile(env.dir, TENANTS, 'no-such-folder', 'gone.yaml');
    writeInventory(join(env.dir, 'inventory'), TENANTS, { drop: [`${healthy[0]!}:svc-ci|db|admin`] });
    const out = join(env.dir, 'exports', 'night-2');
    for (let k = 1; k < N; k++) await shardJob(env, k, out);
    const db = join(env.dir, 'shard-3.duckdb');
    expect((await cli(['collect', '--config', gone, '--db', db, '--shard', `3/${N}`, '--quiet'])).code).toBe(EXIT.incomplete);
    expect((await cli(['export', '--config', env.config, '--db', db, '--parquet', out, '--quiet'])).code).toBe(EXIT.ok);
    const m = await merge(env, `${out}/**/*.parquet`);
    expect(m.code).toBe(EXIT.incomplete);
    expect(m.out).toContain(`incomplete: ${SOURCE}/* (failed)`);
    const after = await findings(join(env.dir, 'merged.duckdb'));
    expect(after.filter((x) => x.status === 'resolved')).toEqual([]);
    expect(comparable(after, [healthy[0]!]).filter((x) => x.carried).map((x) => x.rule_id)).toContain('ungranted-access');
  });

  it('a shard that never exported: its tenants are recorded failed, their findings carried across nights, never resolved', async () => {
    const env = fromTemplate();
    const before = comparable(merged1, failing);
    expect(before.some((x) => x.rule_id === 'unfulfilled-grant')).toBe(true);

    // Nights 2 and 3: shard 3's job dies before exporting; its tenants' access is in fact gone meanwhile.
    writeInventory(join(env.dir, 'inventory'), TENANTS, { drop: failing.map((t) => `${t}:svc-ci|db|admin`) });
    for (const night of ['night-2', 'night-3']) {
      const dir = join(env.dir, 'exports', night);
      for (let k = 1; k < N; k++) await shardJob(env, k, dir);
      const m = await merge(env, `${dir}/**/*.parquet`);
      expect(m.code, `${night}: ${m.out}`).toBe(EXIT.incomplete);
      for (const t of failing) expect(m.out).toContain(`incomplete: ${SOURCE}/${t} (failed) — no shard export contains this tenant`);
      expect(m.err).toMatch(/is in no shard export/);
      const after = comparable(await findings(join(env.dir, 'merged.duckdb')), failing);
      expect(after.map((x) => x.finding_id), night).toEqual(before.map((x) => x.finding_id));
      for (const x of after) expect([x.status, x.carried], `${night} ${x.rule_id} ${x.tenant}`).toEqual(['open', true]);
    }

    // Night 4: the shard is back; now (and only now) the removed access resolves.
    const night4 = join(env.dir, 'exports', 'night-4');
    for (let k = 1; k <= N; k++) await shardJob(env, k, night4);
    expect((await merge(env, `${night4}/**/*.parquet`)).code).toBe(EXIT.ok);
    const back = comparable(await findings(join(env.dir, 'merged.duckdb')), failing);
    expect(back.some((x) => x.status === 'resolved' && x.rule_id === 'ungranted-access')).toBe(true);
    expect(back.every((x) => !x.carried)).toBe(true);
  });
});

describe('exports in one folder: never double-counted', () => {
  it('exports older than the last merge are skipped as stale; their tenants count as missing', async () => {
    // A shared volume (Kubernetes) keeps last night's exports beside tonight's: only tonight's may be merged.
    const env = fromTemplate();
    const shared = join(env.dir, 'exports', 'night-1');
    for (let k = 1; k < N; k++) await shardJob(env, k, shared); // shard 3 did not run tonight
    expect(readdirSync(shared).length).toBe(N + 2);
    const m = await merge(env, `${shared}/**/*.parquet`);
    expect(m.code).toBe(EXIT.incomplete);
    expect(m.err.match(/skipping .*a stale export/g)?.length).toBe(N);
    for (const t of failing) expect(m.out).toContain(`incomplete: ${SOURCE}/${t} (failed)`);
    const rows = await query<{ tenant: string; n: number }>(join(env.dir, 'merged.duckdb'),
      `SELECT tenant, count(*)::INT AS n FROM entitlements WHERE run_id = (SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1) GROUP BY tenant ORDER BY tenant`);
    expect(rows.map((r) => r.tenant)).toEqual(healthy);
    expect(rows.every((r) => r.n === 6)).toBe(true); // six entitlements per tenant: once, never twice

    // Merging the same folder again brings nothing new: refused, rather than a run where every tenant is missing.
    const again = await merge(env, `${shared}/**/*.parquet`);
    expect(again.code).toBe(EXIT.usage);
    expect(again.err).toMatch(/every export matching .* was collected before run run-\S+ of this database: nothing new to merge/);
  });

  it('two fresh exports of the same tenants are refused, naming both folders; nothing is merged', async () => {
    const env = fromTemplate();
    const out = join(env.dir, 'exports', 'night-1');
    const again = exportFolder(await shardJob(env, 1, out)); // shard 1's job was retried and exported again
    const fresh = join(env.dir, 'fresh.duckdb'); // a database that has merged nothing yet: both exports are fresh
    const m = await cli(['reconcile', '--config', env.config, '--db', fresh, '--from', `${out}/**/*.parquet`]);
    expect(m.code).toBe(EXIT.usage);
    expect(m.err).toContain(`${inShard(1).length} tenant(s) are in more than one shard export`);
    expect(m.err).toContain(`${SOURCE}/${inShard(1)[0]}: ${[join(env.dir, night1[1]!), again].sort().join(' and ')}`);
    expect((await query<{ n: number }>(fresh, 'SELECT count(*)::INT AS n FROM runs'))[0]!.n).toBe(0);

    // Keeping the newest export per shard makes the merge go through, every tenant once.
    rmSync(join(env.dir, night1[1]!), { recursive: true });
    expect((await cli(['reconcile', '--config', env.config, '--db', fresh, '--from', `${out}/**/*.parquet`])).code).toBe(EXIT.ok);
    const [row] = await query<{ n: number; t: number }>(fresh, 'SELECT count(*)::INT AS n, count(DISTINCT tenant)::INT AS t FROM entitlements');
    expect(row).toEqual({ n: 6 * TENANTS.length, t: TENANTS.length });
  });

  it('the same run exported twice: into one folder it is replaced, into two folders the merge is refused', async () => {
    const env = fromTemplate();
    const db = join(env.dir, 'shard-1.duckdb');
    const out = join(env.dir, 'exports', 'night-1');
    const again = await cli(['export', '--config', env.config, '--db', db, '--parquet', out]);
    expect(exportFolder(again.out.split('\n'))).toBe(join(env.dir, night1[1]!));
    expect(readdirSync(out)).toHaveLength(N);

    expect((await cli(['export', '--config', env.config, '--db', db, '--parquet', join(env.dir, 'exports', 'elsewhere')])).code).toBe(EXIT.ok);
    const m = await merge(env, `${env.dir}/exports/**/*.parquet`);
    expect(m.code).toBe(EXIT.usage);
    expect(m.err).toMatch(/run run-\S+ is exported twice \(.*elsewhere\/run-\S+ and .*night-1\/run-\S+\)/);
  });

  it('an unfinished export is skipped (its tenants missing); a folder missing a table is refused; stray Parquet files are refused', async () => {
    const env = fromTemplate();
    const out = join(env.dir, 'exports', 'night-2');
    for (let k = 1; k < N; k++) await shardJob(env, k, out);
    // Shard 3's job was killed while exporting: it left <run>.partial, which the merge skips (its tenants count as missing).
    const d3 = join(out, 'run-killed');
    cpSync(join(env.dir, night1[3]!), `${d3}.partial`, { recursive: true });
    const m = await merge(env, `${out}/**/*.parquet`);
    expect(m.err).toContain(`skipping ${d3}.partial: an unfinished export`);
    expect(m.code).toBe(EXIT.incomplete);
    for (const t of failing) expect(m.out).toContain(`incomplete: ${SOURCE}/${t} (failed)`);

    renameSync(`${d3}.partial`, d3);
    rmSync(join(d3, 'source_runs.parquet'));
    const lacking = await merge(env, `${out}/**/*.parquet`);
    expect(lacking.code).toBe(EXIT.usage);
    expect(lacking.err).toContain(`${d3} is an incomplete shard export: source_runs.parquet missing`);

    rmSync(d3, { recursive: true });
    mkdirSync(join(out, 'other'));
    cpSync(join(env.dir, night1[1]!, 'identities.parquet'), join(out, 'other', 'report.parquet'));
    const stray = await merge(env, `${out}/**/*.parquet`);
    expect(stray.code).toBe(EXIT.usage);
    expect(stray.err).toContain(`${join(out, 'other', 'report.parquet')} is not part of a shard export`);
  });

  it('a run that did not commit cannot be exported', async () => {
    const env = fromTemplate();
    const e = await cli(['export', '--config', env.config, '--db', join(env.dir, 'empty.duckdb'), '--parquet', join(env.dir, 'x')]);
    expect(e.code).toBe(EXIT.usage);
    expect(e.err).toContain('no collected run to export');
  });
});
