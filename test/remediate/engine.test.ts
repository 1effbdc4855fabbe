import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyPlan, planActions, readPlan, rollback, writePlan } from '../../src/remediate/index.js';
import { silentLogger } from '../../src/log.js';
import { UserError } from '../../src/errors.js';
import { openStore, tempDir, writeConfig } from '../helpers/index.js';
import { mutate, readState } from './fake-provider.js';
import { configFor, findingId, makeEstate, scan, STALE_KEY1, UNGRANTED_ADMIN } from './harness.js';

const log = silentLogger;

async function twoScans(opts: Parameters<typeof makeEstate>[1] = {}, findings = [STALE_KEY1, UNGRANTED_ADMIN]) {
  const dir = tempDir();
  const estate = await makeEstate(dir, opts);
  const store = await openStore(dir);
  await scan(store, estate.loaded, findings);
  const runId = await scan(store, estate.loaded, findings);
  return { ...estate, store, runId };
}

describe('plan → apply → verify', () => {
  it('applies a plan over a mixed estate, verifies each action and journals intent, outcome and evidence', async () => {
    const { store, loaded, stateFile, dir, runId } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    expect(plan.run_id).toBe(runId);
    expect(plan.blocked).toBeNull();
    expect(plan.actions.map((a) => [a.operation, a.target.ref, a.kind])).toEqual([
      ['detach-policy', 'svc-4|AdministratorAccess', 'revoke'], // critical first
      ['deactivate-key', 'key-1', 'disable'],
    ]);
    const key = plan.actions[1]!;
    expect(key.precondition).toMatchObject({ exists: true, active: true, last_used_not_after: null });
    expect(key.rollback.possible).toBe(true);
    expect(key.finding_ids).toEqual([findingId(STALE_KEY1)]);

    const { planFile, summaryFile } = writePlan(plan, `${dir}/plans`);
    expect(readPlan(planFile)).toEqual(plan);
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('**disable** (deactivate-key) credential `key-1`');
    expect(summary).toContain('re-checked just before acting: still exists, still active');

    const res = await applyPlan(store, loaded, readPlan(planFile), { enforce: true, log });
    expect(res).toMatchObject({ exitCode: 0, executed: 2, verified: 2, unverified: 0, failed: 0, skipped: 0 });
    const s = readState(stateFile);
    expect(s.keys.find((k) => k.ref === 'key-1')!.status).toBe('inactive');
    expect(s.attachments.find((a) => a.identity_ref === 'svc-4')!.attached).toBe(false);
    expect(s.calls).toEqual([{ op: 'detach-policy', ref: 'svc-4|AdministratorAccess' }, { op: 'deactivate-key', ref: 'key-1' }]);

    const rows = await store.all(`SELECT * FROM actions ORDER BY intent_at, action_id`);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r).toMatchObject({ plan_id: plan.plan_id, run_id: runId, state: 'verified', provider: 'fake', tenant: 'acme', source: 'fake1' });
      expect(r.intent_at).toBeInstanceOf(Date);
      expect(r.outcome_at).toBeInstanceOf(Date);
      expect(r.verified_at).toBeInstanceOf(Date);
      expect(JSON.parse(r.verification as string)).toMatchObject({ ok: true, evidence: { read: { exists: expect.any(Boolean), active: false } } });
    }
    const keyRow = rows.find((r) => r.target_ref === 'key-1')!;
    expect(keyRow).toMatchObject({ finding_id: findingId(STALE_KEY1), rule_id: 'stale-credential', kind: 'disable', operation: 'deactivate-key' });
    expect(JSON.parse(keyRow.before_state as string)).toMatchObject({ target: { ref: 'key-1', subject: 'credential', kind: 'access_key' }, read: { exists: true, active: true, state: { status: 'active' } } });

    // Applying the same plan again repeats nothing.
    const again = await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(again).toMatchObject({ exitCode: 0, executed: 0, verified: 2 });
    expect(again.outcomes.every((o) => o.previously)).toBe(true);
    expect(readState(stateFile).calls).toHaveLength(2);
  });

  it('without --enforce re-reads targets and reports what would happen, changing nothing', async () => {
    const { store, loaded, stateFile } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    const res = await applyPlan(store, loaded, plan, { enforce: false, log });
    expect(res).toMatchObject({ exitCode: 0, executed: 2, skipped: 0 });
    expect(res.outcomes.map((o) => o.state)).toEqual(['would-execute', 'would-execute']);
    expect(readState(stateFile).calls).toEqual([]);
    expect(await store.value('SELECT count(*) FROM actions')).toBe(0);
  });

  it('merges several findings on one target into one action', async () => {
    const unrotated = { ...STALE_KEY1, rule: 'unrotated-credential', severity: 'medium' };
    const { store, loaded } = await twoScans({ remediation: { actions: [{ rule: '*-credential', operation: 'deactivate-key' }] } }, [STALE_KEY1, unrotated]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0]!.finding_ids.sort()).toEqual([findingId(STALE_KEY1), findingId(unrotated)].sort());
  });

  it('records an action whose read-back still shows access as unverified, and exits non-zero', async () => {
    const { store, loaded } = await twoScans({ state: { ignore_execute: ['key-1'] } });
    const plan = await planActions(store, loaded, { log });
    const res = await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(res).toMatchObject({ exitCode: 3, verified: 1, unverified: 1 });
    const row = await store.one(`SELECT state, verification, reason FROM actions WHERE target_ref = 'key-1'`);
    expect(row!.state).toBe('unverified');
    expect(JSON.parse(row!.verification as string)).toMatchObject({ ok: false, evidence: { read: { exists: true, active: true } } });
    // The next plan does not act on it again blindly: a person looks first.
    const next = await planActions(store, loaded, { log });
    expect(next.held.find((h) => h.target_ref === 'key-1')).toMatchObject({ rail: 'already-remediated' });
  });
});

describe('rails', () => {
  it('does not act on a finding seen for the first time', async () => {
    const dir = tempDir();
    const { loaded, stateFile } = await makeEstate(dir);
    const store = await openStore(dir);
    await scan(store, loaded, [UNGRANTED_ADMIN]);
    await scan(store, loaded, [STALE_KEY1, UNGRANTED_ADMIN]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions.map((a) => a.target.ref)).toEqual(['svc-4|AdministratorAccess']);
    expect(plan.held).toMatchObject([{ target_ref: 'key-1', rail: 'too-new', reason: 'seen in 1 consecutive run(s); acting needs 2' }]);
    await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(readState(stateFile).calls.map((c) => c.ref)).toEqual(['svc-4|AdministratorAccess']);
  });

  it('needs consecutive runs: a gap resets the count', async () => {
    const dir = tempDir();
    const { loaded } = await makeEstate(dir);
    const store = await openStore(dir);
    await scan(store, loaded, [STALE_KEY1]);
    await scan(store, loaded, []);
    await scan(store, loaded, [STALE_KEY1]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions).toEqual([]);
    expect(plan.held[0]).toMatchObject({ rail: 'too-new' });
  });

  it('does not act on a tenant whose collection was partial, nor on carried findings', async () => {
    const dir = tempDir();
    const { loaded, stateFile } = await makeEstate(dir);
    const store = await openStore(dir);
    await scan(store, loaded, [STALE_KEY1, UNGRANTED_ADMIN]);
    mutate(stateFile, (s) => { s.partial = true; });
    await scan(store, loaded, [STALE_KEY1, { ...UNGRANTED_ADMIN, carried: true }]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions).toEqual([]);
    expect(plan.held.map((h) => [h.target_ref, h.rail])).toEqual([
      ['svc-4|AdministratorAccess', 'incomplete-tenant'],
      ['key-1', 'incomplete-tenant'],
    ]);
    expect(plan.held[1]!.reason).toContain('was partial');
    const res = await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(res.executed).toBe(0);
    expect(readState(stateFile).calls).toEqual([]);
  });

  it('does nothing at all when the grant records did not load (everything would look ungranted)', async () => {
    const everything = [
      UNGRANTED_ADMIN,
      { rule: 'ungranted-access', subject: 'entitlement' as const, ref: 'svc-5|ReadOnlyAccess', identity_ref: 'svc-5' },
      STALE_KEY1,
    ];
    const dir = tempDir();
    const { loaded, stateFile } = await makeEstate(dir);
    const store = await openStore(dir);
    await scan(store, loaded, everything);
    await scan(store, loaded, everything, { authority: 'failed' });
    const plan = await planActions(store, loaded, { log });
    expect(plan.blocked).toMatchObject({ rail: 'authority' });
    expect(plan.blocked!.message).toContain('grants.yaml:7 expires_at');
    expect(plan.actions).toEqual([]);
    expect(plan.held.map((h) => h.rail)).toEqual(['authority', 'authority', 'authority']);
    const res = await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(res).toMatchObject({ exitCode: 3, executed: 0 });
    expect(readState(stateFile).calls).toEqual([]);
    expect(await store.value('SELECT count(*) FROM actions')).toBe(0);
  });

  it('trips the count breaker: no action at all and exit code 4', async () => {
    const { store, loaded, stateFile } = await twoScans({ remediation: { max_actions: 1 } });
    const plan = await planActions(store, loaded, { log });
    expect(plan.blocked).toMatchObject({ rail: 'breaker' });
    expect(plan.breakers).toMatchObject([{ rail: 'max_actions', count: 2, limit: 1 }]);
    const res = await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(res).toMatchObject({ exitCode: 4, executed: 0 });
    expect(res.message).toContain('more than remediation.max_actions (1)');
    expect(readState(stateFile).calls).toEqual([]);
    expect(await store.value('SELECT count(*) FROM actions')).toBe(0);
  });

  it("trips the fraction breaker on a tenant's identities", async () => {
    // 10 identities, 10%: one identity may be touched, the plan touches two.
    const { store, loaded, stateFile } = await twoScans({ remediation: { max_fraction: 0.1 } });
    const plan = await planActions(store, loaded, { log });
    expect(plan.breakers).toMatchObject([{ rail: 'max_fraction', scope: 'fake1/acme', count: 2, limit: 1 }]);
    const res = await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(res.exitCode).toBe(4);
    expect(readState(stateFile).calls).toEqual([]);
  });

  it('re-evaluates the breakers at apply time under the current config', async () => {
    const { store, loaded, dir, stateFile } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    expect(plan.blocked).toBeNull();
    const tighter = await writeConfig(dir, configFor({ remediation: { max_actions: 1 } }));
    const res = await applyPlan(store, tighter, plan, { enforce: true, log });
    expect(res.exitCode).toBe(4);
    expect(readState(stateFile).calls).toEqual([]);
  });

  it('never touches a protected identity, matched by the name of the key holder', async () => {
    const bgKey = { rule: 'stale-credential', subject: 'credential' as const, ref: 'key-bg', identity_ref: 'bg-1' };
    const { store, loaded } = await twoScans({}, [bgKey, STALE_KEY1]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions.map((a) => a.target.ref)).toEqual(['key-1']);
    expect(plan.held).toMatchObject([{ target_ref: 'key-bg', rail: 'protected', reason: 'protected (break-glass-*): break-glass account' }]);
  });

  it('honours opt-outs until they expire', async () => {
    const now = new Date('2026-01-10T00:00:00Z');
    const optOuts = [
      { ref: 'key-1', reason: 'migration in progress', expires_at: '2026-02-01', ticket: 'SEC-1' },
      { ref: 'svc-4*', reason: 'old exception', expires_at: '2026-01-01' },
    ];
    const { store, loaded } = await twoScans({ remediation: { opt_outs: optOuts } });
    const plan = await planActions(store, loaded, { log, now });
    expect(plan.actions.map((a) => a.target.ref)).toEqual(['svc-4|AdministratorAccess']);
    expect(plan.held).toMatchObject([{ target_ref: 'key-1', rail: 'opt-out' }]);
    expect(plan.held[0]!.reason).toContain('migration in progress [SEC-1]');
  });

  it('holds an irreversible operation unless the policy allows it', async () => {
    const leaked = { rule: 'leaked-credential', subject: 'credential' as const, ref: 'pat-1', identity_ref: 'svc-3', severity: 'critical' };
    const { store, loaded } = await twoScans({}, [leaked]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.held).toMatchObject([{ target_ref: 'pat-1', rail: 'irreversible' }]);
    const allowed = await writeConfig(loaded.dir, configFor({ remediation: { actions: [{ rule: 'leaked-credential', operation: 'revoke-token', allow_irreversible: true }] } }));
    const plan2 = await planActions(store, allowed, { log });
    expect(plan2.actions).toMatchObject([{ operation: 'revoke-token', kind: 'revoke', reversible: false, rollback: { possible: false } }]);
  });

  it('holds disputed owners, operations a connector lacks, and targets missing from the inventory', async () => {
    const orphan = { rule: 'orphaned-identity', subject: 'identity' as const, ref: 'svc-6', owner_status: 'disputed' };
    const ghost = { rule: 'stale-credential', subject: 'credential' as const, ref: 'key-gone', identity_ref: 'svc-7' };
    const pat = { rule: 'stale-credential', subject: 'credential' as const, ref: 'pat-1', identity_ref: 'svc-3' };
    const { store, loaded } = await twoScans({}, [orphan, ghost, pat]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions).toEqual([]);
    const rails = Object.fromEntries(plan.held.map((h) => [h.target_ref, [h.rail, h.reason]]));
    expect(rails['svc-6']![0]).toBe('disputed-owner');
    expect(rails['key-gone']![0]).toBe('missing-target');
    expect(rails['pat-1']).toEqual(['unsupported', 'operation deactivate-key applies to access_key, not to pat']);
  });
});

describe('apply refuses stale or foreign plans and re-checks preconditions', () => {
  it('refuses a plan from an older run than the latest', async () => {
    const { store, loaded } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    await scan(store, loaded, [STALE_KEY1, UNGRANTED_ADMIN]);
    await expect(applyPlan(store, loaded, plan, { enforce: true, log })).rejects.toThrow(/is newer: run `nhi-recon plan` again/);
  });

  it('refuses a plan from another database and an edited plan file', async () => {
    const { store, loaded, dir } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    const other = await openStore(tempDir());
    await expect(applyPlan(other, loaded, plan, { enforce: true, log })).rejects.toThrow(/made from another database/);
    const { planFile } = writePlan(plan, dir);
    const edited = JSON.parse(readFileSync(planFile, 'utf8'));
    edited.actions[0].target.ref = 'svc-5|ReadOnlyAccess';
    writeFileSync(planFile, JSON.stringify(edited));
    expect(() => readPlan(planFile)).toThrow(UserError);
    expect(() => readPlan(planFile)).toThrow(/modified after it was written/);
    // A truncated file names where it broke, without quoting the plan's text.
    writeFileSync(planFile, `${JSON.stringify(edited, null, 1).slice(0, 200)} svc-5-cut`);
    expect(() => readPlan(planFile)).toThrow(/cannot read plan .*plan.*: line \d+: invalid JSON: syntax error at column \d+$/);
    expect(() => readPlan(planFile)).not.toThrow(/svc-5-cut/);
  });

  it('skips, with a reason, targets that changed between plan and apply', async () => {
    const { store, loaded, stateFile } = await twoScans({}, [STALE_KEY1, UNGRANTED_ADMIN, { ...STALE_KEY1, ref: 'key-2', identity_ref: 'svc-2' }]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions).toHaveLength(3);
    const usedAt = '2026-03-01T00:00:00.000Z';
    mutate(stateFile, (s) => {
      s.keys.find((k) => k.ref === 'key-1')!.last_used_at = usedAt; // used since the plan
      s.attachments.find((a) => a.identity_ref === 'svc-4')!.attached = false; // someone removed it already
      s.fail_read = ['key-2']; // provider cannot be read: never act blind
    });
    const res = await applyPlan(store, loaded, plan, { enforce: true, log });
    expect(res).toMatchObject({ executed: 0, skipped: 3, exitCode: 0 });
    const reasons = Object.fromEntries(res.outcomes.map((o) => [o.target_ref, o.reason]));
    expect(reasons['key-1']).toBe(`changed since the plan: it was used at ${usedAt}, after the plan (unused then)`);
    expect(reasons['svc-4|AdministratorAccess']).toBe('changed since the plan: the target no longer exists');
    expect(reasons['key-2']).toContain('could not re-read the target, so nothing was done: 503');
    expect(readState(stateFile).calls).toEqual([]);
    const states = await store.all(`SELECT target_ref, state, reason FROM actions ORDER BY target_ref`);
    expect(states.map((r) => r.state)).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('skips an action a rail added since the plan now forbids (a new protected entry)', async () => {
    const { store, loaded, stateFile } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    const stricter = await writeConfig(loaded.dir, configFor({ protected: [{ ref: 'svc-4', reason: 'payroll' }] }));
    const res = await applyPlan(store, stricter, plan, { enforce: true, log });
    expect(res.outcomes.find((o) => o.target_ref === 'svc-4|AdministratorAccess')).toMatchObject({ state: 'skipped', reason: 'no longer allowed: protected: protected (svc-4): payroll' });
    expect(readState(stateFile).calls).toEqual([{ op: 'deactivate-key', ref: 'key-1' }]);
  });
});

describe('reversible first, then the destructive follow-up, and rollback', () => {
  it('deletes a disabled key only after the grace period, and only if nobody re-enabled it', async () => {
    const { store, loaded, stateFile } = await twoScans({}, [STALE_KEY1, { ...STALE_KEY1, ref: 'key-2', identity_ref: 'svc-2' }]);
    const t0 = new Date();
    const first = await planActions(store, loaded, { log, now: t0 });
    await applyPlan(store, loaded, first, { enforce: true, log, now: t0 });
    expect(readState(stateFile).keys.filter((k) => k.status === 'inactive').map((k) => k.ref)).toEqual(['key-1', 'key-2']);

    mutate(stateFile, (s) => { s.keys.find((k) => k.ref === 'key-2')!.status = 'active'; }); // an owner turned it back on
    await scan(store, loaded, []); // the findings went away with the keys' use
    const early = await planActions(store, loaded, { log, now: new Date(t0.getTime() + 5 * 86_400_000) });
    expect(early.actions).toEqual([]);

    const later = new Date(t0.getTime() + 15 * 86_400_000);
    const plan = await planActions(store, loaded, { log, now: later });
    expect(plan.actions).toMatchObject([{ step: 'follow-up', operation: 'delete-key', kind: 'delete', target: { ref: 'key-1' }, follows: first.actions[0]!.action_id,
      precondition: { active: false }, finding_id: findingId(STALE_KEY1) }]);
    expect(plan.held).toMatchObject([{ target_ref: 'key-2', rail: 'reactivated' }]);
    const res = await applyPlan(store, loaded, plan, { enforce: true, log, now: later });
    expect(res).toMatchObject({ exitCode: 0, verified: 1 });
    expect(readState(stateFile).keys.find((k) => k.ref === 'key-1')!.deleted).toBe(true);

    // Rolling the whole story back says plainly that a deleted key cannot come back.
    const rb = await rollback(store, loaded, plan.plan_id, { log });
    expect(rb.exitCode).toBe(3);
    expect(rb.items).toMatchObject([{ operation: 'delete-key', outcome: 'not-restorable' }]);
    expect(rb.items[0]!.reason).toContain('cannot be restored');
    const rb1 = await rollback(store, loaded, first.actions.find((a) => a.target.ref === 'key-1')!.action_id, { log });
    expect(rb1.items).toMatchObject([{ outcome: 'not-restorable', reason: expect.stringContaining('later deleted by action') }]);
  });

  it('rollback restores a disabled key and a detached policy, proven by reading them back', async () => {
    const { store, loaded, stateFile, runId } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    await applyPlan(store, loaded, plan, { enforce: true, log });
    const res = await rollback(store, loaded, runId, { log });
    expect(res.exitCode).toBe(0);
    expect(res.items.map((i) => [i.target_ref, i.outcome])).toEqual([['key-1', 'restored'], ['svc-4|AdministratorAccess', 'restored']]);
    const s = readState(stateFile);
    expect(s.keys.find((k) => k.ref === 'key-1')!.status).toBe('active');
    expect(s.attachments.find((a) => a.identity_ref === 'svc-4')!.attached).toBe(true);
    const rows = await store.all(`SELECT state, rolled_back_at, verification FROM actions`);
    for (const r of rows) {
      expect(r.state).toBe('rolled_back');
      expect(r.rolled_back_at).toBeInstanceOf(Date);
      expect(JSON.parse(r.verification as string).rollback).toMatchObject({ ok: true, read: { exists: true, active: true } });
    }
    const twice = await rollback(store, loaded, runId, { log });
    expect(twice.items.map((i) => i.outcome)).toEqual(['skipped', 'skipped']);
    expect(readState(stateFile).calls.filter((c) => c.op.startsWith('rollback:'))).toHaveLength(2);
    await expect(rollback(store, loaded, 'act-nope', { log })).rejects.toThrow(/no action, plan or run "act-nope"/);

    // A rolled-back finding is not acted on again until it has been seen afresh for min_consecutive_runs runs.
    await scan(store, loaded, [STALE_KEY1, UNGRANTED_ADMIN]);
    const next = await planActions(store, loaded, { log });
    expect(next.actions).toEqual([]);
    expect(next.held.map((h) => h.rail)).toEqual(['too-new', 'too-new']);
  });
});

describe('plan files', () => {
  it('writes the plan and summary atomically into the plan folder', async () => {
    const { store, loaded, dir } = await twoScans();
    const plan = await planActions(store, loaded, { log });
    const { planFile, summaryFile } = writePlan(plan, `${dir}/p`);
    expect(existsSync(planFile) && existsSync(summaryFile)).toBe(true);
    expect(existsSync(`${planFile}.tmp`)).toBe(false);
  });
});
