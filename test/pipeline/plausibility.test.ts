// Issue 14 class 2 (review D9): absence that is not evidence. A provider answering 200 with empty (or much shorter)
// lists, where the tenant's last complete collection held data, marks the tenant `suspect`: its findings are carried,
// none resolved, nothing there is acted on, and the run exits 3 — until a person accepts the drop.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, tempDir, writeConfig } from '../helpers/index.js';
import { collectStage, exitCodeFor, reconcileStage } from '../../src/pipeline/scan.js';
import { silentLogger } from '../../src/log.js';
import { EXIT } from '../../src/errors.js';
import { FaultPlan } from '../../src/sim/http.js';
import { generateEstate } from '../../src/sim/github/estate.js';
import { setup as githubSetup } from '../connectors/github/helpers.js';
import { makeEstate } from '../remediate/harness.js';
import { mutate } from '../remediate/fake-provider.js';
import { planActions, applyPlan } from '../../src/remediate/index.js';
import type { Store } from '../../src/store/store.js';
import type { LoadedConfig } from '../../src/config/load.js';

type Opts = Parameters<typeof collectStage>[2];

async function scanOnce(store: Store, loaded: LoadedConfig, opts: Partial<Opts> = {}) {
  const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, ...opts });
  await reconcileStage(store, loaded, run.run_id);
  const statuses = Object.fromEntries((await store.all<{ status: string; n: number }>(
    `SELECT status, count(*)::INTEGER AS n FROM findings WHERE run_id = $1 GROUP BY 1`, [run.run_id])).map((r) => [r.status, r.n]));
  const carried = Number(await store.value(`SELECT count(*) FROM findings WHERE run_id = $1 AND carried`, [run.run_id]));
  return { runId: run.run_id, outcomes, outcome: outcomes[0]!, statuses, carried, exit: await exitCodeFor(store, run.run_id, 'none') };
}

/** A file-connector inventory: `n` service accounts, each with one admin entitlement, plus credentials by kind. */
function writeInventory(dir: string, n: number, creds: Record<string, number> = {}) {
  const ids = Array.from({ length: n }, (_, i) => `svc-${i + 1}`);
  writeFileSync(join(dir, 'inv', 'identities.csv'), 'ref,kind,name,created_at\n' + ids.map((r) => `${r},service_account,${r},2023-01-01`).join('\n') + '\n');
  writeFileSync(join(dir, 'inv', 'entitlements.csv'), 'identity_ref,resource_ref,permission,level\n' + ids.map((r) => `${r},db/prod,admin,admin`).join('\n') + '\n');
  const rows: string[] = [];
  for (const [kind, count] of Object.entries(creds)) for (let i = 1; i <= count; i++) rows.push(`${kind}-${i},${kind},svc-1,2023-01-01`);
  writeFileSync(join(dir, 'inv', 'credentials.csv'), 'ref,kind,identity_ref,created_at\n' + rows.join('\n') + '\n');
}

async function fileEstate(extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'inv'));
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, {
    sources: [{ name: 'saas', type: 'file', options: { path: 'inv', provider: 'slack', tenant: 'acme' } }],
    authority: { required: false },
    ...extra,
  });
  return { dir, store, loaded };
}

const decisions = (store: Store, runId: string) => store.all<Record<string, unknown>>(
  `SELECT * FROM guard_decisions WHERE run_id = $1 ORDER BY collection, kind NULLS FIRST`, [runId]);

describe('plausibility guard (D9)', () => {
  it('D9: GitHub answering 200 with empty members, collaborators and deploy keys marks the org suspect; nothing is resolved', async () => {
    const faults = new FaultPlan();
    const t = await githubSetup({ estate: generateEstate({ repos: 10, seed: 17 }), sim: { faults }, options: { skip: ['fine_grained_pats'] } });
    const first = await scanOnce(t.store, t.loaded, { env: t.env, fullCollection: true });
    expect(first.outcome.status).toBe('complete');
    const open = first.statuses.new!;
    expect(open).toBeGreaterThan(10);

    for (const match of ['GET /orgs/acme/members', '/collaborators', '/keys']) faults.add({ kind: 'empty', match, times: Infinity });
    // --full: without it ETag 304s replay the stored pages and mask the fault (as the review notes).
    const second = await scanOnce(t.store, t.loaded, { env: t.env, fullCollection: true });
    expect(faults.injected).toBeGreaterThan(0);
    expect(second.outcome.status).toBe('suspect');
    expect(second.outcome.error).toMatch(/credentials deploy_key: \d+ → 0/);
    expect(second.outcome.error).toContain(first.runId);
    expect(second.statuses.resolved ?? 0).toBe(0);
    expect(second.carried).toBeGreaterThan(0);
    expect(second.exit).toBe(EXIT.incomplete);
    const d = await decisions(t.store, second.runId);
    expect(d.length).toBeGreaterThan(0);
    expect(d.every((x) => x.decision === 'suspect' && x.guard === 'collection' && x.source === 'gh' && x.tenant === 'acme' && x.baseline_run_id === first.runId)).toBe(true);
    expect(d).toEqual(expect.arrayContaining([expect.objectContaining({ collection: 'credentials', kind: 'deploy_key', current: 0 })]));
  });

  it('a 90% drop marks the tenant suspect with the collection and the numbers; findings are carried, none resolved, exit 3', async () => {
    const { dir, store, loaded } = await fileEstate();
    writeInventory(dir, 20);
    const first = await scanOnce(store, loaded);
    expect(first.outcome.status).toBe('complete'); // first collection of a tenant: no baseline, never suspect
    expect(await decisions(store, first.runId)).toEqual([]);
    const before = first.statuses.new!;
    expect(before).toBeGreaterThanOrEqual(20);

    writeInventory(dir, 2);
    const second = await scanOnce(store, loaded);
    expect(second.outcome.status).toBe('suspect');
    expect(second.outcome.error).toContain('identities: 20 → 2 (-90%)');
    expect(second.outcome.error).toContain('entitlements: 20 → 2 (-90%)');
    expect(second.outcome.error).toContain('--accept-drop saas/acme');
    expect(second.statuses.resolved ?? 0).toBe(0);
    expect(second.carried).toBeGreaterThanOrEqual(18);
    expect(second.exit).toBe(EXIT.incomplete);
    expect(await store.value(`SELECT status FROM source_runs WHERE run_id = $1`, [second.runId])).toBe('suspect');
    expect(await decisions(store, second.runId)).toEqual(expect.arrayContaining([
      expect.objectContaining({ decision: 'suspect', collection: 'identities', kind: null, baseline: 20, current: 2, baseline_run_id: first.runId }),
      expect.objectContaining({ decision: 'suspect', collection: 'identities', kind: 'service_account', baseline: 20, current: 2 }),
    ]));

    // A suspect collection is no baseline: the next run is still compared with the last complete one.
    const third = await scanOnce(store, loaded);
    expect(third.outcome.status).toBe('suspect');
    expect(third.outcome.error).toContain(first.runId);
  });

  it('judges each kind within a collection: deploy keys vanishing while access keys remain is suspect', async () => {
    const { dir, store, loaded } = await fileEstate();
    writeInventory(dir, 10, { access_key: 6, deploy_key: 6 });
    expect((await scanOnce(store, loaded)).outcome.status).toBe('complete');
    writeInventory(dir, 10, { access_key: 6, deploy_key: 0 });
    const second = await scanOnce(store, loaded);
    expect(second.outcome.status).toBe('suspect');
    expect(second.outcome.error).toContain('credentials deploy_key: 6 → 0 (now empty)');
    // The collection as a whole halved (12 → 6): not beyond max_drop 0.5 on its own.
    expect(second.outcome.error).not.toMatch(/credentials: 12/);
  });

  it('a drop within the threshold, or of a collection below min_count, is plausible and resolves findings', async () => {
    const { dir, store, loaded } = await fileEstate();
    writeInventory(dir, 20, { pat: 4 });
    await scanOnce(store, loaded);
    writeInventory(dir, 12, { pat: 0 }); // -40%; and 4 → 0 pats is below min_count (5)
    const second = await scanOnce(store, loaded);
    expect(second.outcome.status).toBe('complete');
    expect(second.statuses.resolved).toBeGreaterThanOrEqual(8);
    expect(second.exit).toBe(EXIT.ok);
  });

  it('thresholds are configurable and the guard can be turned off', async () => {
    const strict = await fileEstate({ guards: { collection: { max_drop: 0.2, min_count: 2 } } });
    writeInventory(strict.dir, 10);
    await scanOnce(strict.store, strict.loaded);
    writeInventory(strict.dir, 7); // -30% > 0.2
    expect((await scanOnce(strict.store, strict.loaded)).outcome.status).toBe('suspect');

    const off = await fileEstate({ guards: { collection: { enabled: false } } });
    writeInventory(off.dir, 20);
    await scanOnce(off.store, off.loaded);
    writeInventory(off.dir, 0);
    expect((await scanOnce(off.store, off.loaded)).outcome.status).toBe('complete');
  });

  it('an accepted drop (--accept-drop) is recorded with who, how and when, counts as complete, and becomes the baseline', async () => {
    const { dir, store, loaded } = await fileEstate();
    writeInventory(dir, 20);
    await scanOnce(store, loaded);
    writeInventory(dir, 2);
    const now = new Date('2026-12-05T10:00:00Z');
    const accepted = await scanOnce(store, loaded, { acceptDrop: ['saas/acme'], actor: 'alice', now });
    expect(accepted.outcome.status).toBe('complete');
    expect(accepted.statuses.resolved).toBeGreaterThanOrEqual(18);
    expect(accepted.exit).toBe(EXIT.ok);
    const d = await decisions(store, accepted.runId);
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) {
      expect(x).toMatchObject({ decision: 'accepted', accepted_by: 'alice', accepted_via: '--accept-drop saas/acme' });
      expect((x.decided_at as Date).toISOString()).toBe(now.toISOString());
    }
    // The next run compares with the accepted collection: 2 → 2 is plausible, nothing to accept.
    const next = await scanOnce(store, loaded);
    expect(next.outcome.status).toBe('complete');
    expect(await decisions(store, next.runId)).toEqual([]);
  });

  it('a drop accepted in the config (guards.accept_drop, by tenant name) is recorded as such', async () => {
    const { dir, store, loaded } = await fileEstate();
    writeInventory(dir, 20);
    await scanOnce(store, loaded);
    writeInventory(dir, 0);
    const again = await writeConfig(dir, {
      sources: [{ name: 'saas', type: 'file', options: { path: 'inv', provider: 'slack', tenant: 'acme' } }],
      authority: { required: false }, guards: { accept_drop: ['acme'] },
    });
    const r = await scanOnce(store, again, { actor: 'bob' });
    expect(r.outcome.status).toBe('complete');
    const d = await decisions(store, r.runId);
    expect(d.length).toBeGreaterThan(0);
    expect(d.every((x) => x.decision === 'accepted' && x.accepted_via === 'config guards.accept_drop' && x.accepted_by === 'bob')).toBe(true);
  });

  it('a suspect tenant: plan and apply act on nothing there', async () => {
    const dir = tempDir();
    const e = await makeEstate(dir);
    const store = await openStore(dir);
    await scanOnce(store, e.loaded);
    const second = await scanOnce(store, e.loaded);
    expect(second.outcome.status).toBe('complete');
    const normal = await planActions(store, e.loaded, { runId: second.runId });
    expect(normal.actions.length).toBeGreaterThan(0); // the rails would otherwise allow actions here

    // The provider now lists two of its ten users: implausible.
    mutate(e.stateFile, (s) => { s.users = s.users.slice(0, 2); });
    const third = await scanOnce(store, e.loaded);
    expect(third.outcome.status).toBe('suspect');
    expect(third.statuses.resolved ?? 0).toBe(0);
    const plan = await planActions(store, e.loaded, { runId: third.runId });
    expect(plan.actions).toEqual([]);
    expect(plan.held.length).toBeGreaterThan(0);
    expect(plan.held.every((h) => h.rail === 'incomplete-tenant')).toBe(true);
    expect(plan.held.some((h) => /suspect/.test(h.reason))).toBe(true);
    const applied = await applyPlan(store, e.loaded, plan, { enforce: true, log: silentLogger });
    expect(applied.executed).toBe(0);
    expect((await import('../remediate/fake-provider.js')).readState(e.stateFile).calls).toEqual([]);
  });
});
