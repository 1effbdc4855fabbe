// Every remediation against the simulator through the SDK: read, execute, verify by reading back, and roll back.
import { describe, expect, it } from 'vitest';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { buildContext } from '../../../src/pipeline/collect.js';
import { connector } from '../../../src/connectors/aws/index.js';
import type { ConnectorContext, Target } from '../../../src/connectors/types.js';
import type { AwsOptions } from '../../../src/connectors/aws/options.js';
import { addSecret, generateEstate, policy } from '../../../src/sim/aws/estate.js';
import { silentLogger } from '../../../src/log.js';
import type { Store } from '../../../src/store/store.js';
import { SIM_ENV, awsSource, startSim } from './helpers.js';

const A = '111111111111';
const rem = connector.remediation!;

async function setup() {
  const estate = generateEstate({ seed: 11, users: 0, roles: 0, groups: 0, secrets: 0 });
  const acct = estate.accounts.get(A)!;
  const t0 = new Date('2024-01-01T10:00:00Z');
  acct.policies.set(`arn:aws:iam::${A}:policy/deploy`, policy(`arn:aws:iam::${A}:policy/deploy`, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] }));
  acct.groups.set('admins', { name: 'admins', id: 'AGPAADMINS', path: '/', created: t0, attached: ['arn:aws:iam::aws:policy/AdministratorAccess'], inline: [] });
  acct.users.set('ci', { name: 'ci', id: 'AIDACI', path: '/', created: t0, tags: {}, groups: ['admins'], attached: [`arn:aws:iam::${A}:policy/deploy`],
    inline: [{ name: 'extra', doc: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }], mfa: false,
    keys: [{ id: 'AKIACIKEY00000000001', status: 'Active', created: t0 }, { id: 'AKIACIKEY00000000002', status: 'Active', created: new Date('2024-02-01T00:00:00Z') }], certs: [] });
  acct.users.set('bob', { name: 'bob', id: 'AIDABOB', path: '/', created: t0, tags: {}, groups: [], attached: [], inline: [], mfa: false, login: { created: t0 }, keys: [{ id: 'AKIABOBKEY0000000001', status: 'Active', created: t0 }], certs: [] });
  addSecret(acct, 'us-east-1', { name: 'rotating', created: t0, rotationEnabled: true, rotationLambda: `arn:aws:lambda:us-east-1:${A}:function:rotate`, rotationDays: 30, tags: {} });
  addSecret(acct, 'us-east-1', { name: 'static', created: t0, tags: {} });
  const sim = await startSim(estate);
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [awsSource(sim, { secrets_manager: { regions: ['us-east-1'], endpoint: sim.url }, rotation_sink: { type: 'secretsmanager' } })], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
  expect(outcomes[0]!.status).toBe('complete');
  const source = loaded.config.sources[0]!;
  const ctx = buildContext(source, loaded.sourceOptions.get(source.name), { runId, log: silentLogger, now: new Date(), env: SIM_ENV, signal: new AbortController().signal, cache: null }) as ConnectorContext<AwsOptions>;
  return { sim, acct, store, runId, ctx };
}

async function target(store: Store, runId: string, subject: 'credential' | 'entitlement', where: string, params: string[] = []): Promise<Target> {
  const table = subject === 'credential' ? 'credentials' : 'entitlements';
  const kind = subject === 'credential' ? 'kind' : 'NULL AS kind';
  const idr = 'identity_ref';
  const res = subject === 'entitlement' ? 'resource_ref, permission' : 'NULL AS resource_ref, NULL AS permission';
  const rows = await store.all<Record<string, any>>(`SELECT provider, tenant, source, ref, ${kind}, ${idr}, ${res}, attributes FROM ${table} WHERE run_id = $1 AND ${where}`, [runId, ...params]);
  expect(rows).toHaveLength(1);
  const r = rows[0]!;
  return { ...r, subject, attributes: r.attributes ? JSON.parse(r.attributes) : null } as Target;
}

describe('aws remediation', () => {
  it('deactivates an access key, verifies it, rolls it back, and deletes it only once inactive', async () => {
    const { sim, acct, store, runId, ctx } = await setup();
    const t = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/bob#%'");
    const before = await rem.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { access_key_id: 'AKIABOBKEY0000000001', status: 'Active' } });
    await expect(rem.execute(ctx, 'delete-access-key', t, before)).rejects.toThrow(/deactivate it first/);
    await rem.execute(ctx, 'deactivate-access-key', t, before);
    expect(acct.users.get('bob')!.keys[0]!.status).toBe('Inactive');
    expect(await rem.verify(ctx, 'deactivate-access-key', t)).toMatchObject({ ok: true, evidence: { active: false, status: 'Inactive' } });
    await rem.rollback!(ctx, 'deactivate-access-key', t, before);
    expect(acct.users.get('bob')!.keys[0]!.status).toBe('Active');
    await rem.execute(ctx, 'deactivate-access-key', t, before);
    const inactive = await rem.read(ctx, t);
    await rem.execute(ctx, 'delete-access-key', t, inactive);
    expect(acct.users.get('bob')!.keys).toEqual([]);
    expect(await rem.verify(ctx, 'delete-access-key', t)).toMatchObject({ ok: true, evidence: { exists: false } });
    expect(sim.calls.get('iam:UpdateAccessKey')).toBe(3);
  });

  it('rotates an access key into the Secrets Manager sink without the secret ever leaving it', async () => {
    const { sim, acct, store, runId, ctx } = await setup();
    const ci = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/ci#%2024-01-01%'");
    // Two keys already: IAM's limit, so rotation refuses rather than fail halfway.
    await expect(rem.execute(ctx, 'rotate-access-key', ci, await rem.read(ctx, ci))).rejects.toThrow(/already has two access keys/);
    const t = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/bob#%'");
    const before = await rem.read(ctx, t);
    const out = await rem.execute(ctx, 'rotate-access-key', t, before);
    const keys = acct.users.get('bob')!.keys;
    expect(keys.map((k) => k.status)).toEqual(['Inactive', 'Active']);
    expect(out).toMatchObject({ old_access_key_id: 'AKIABOBKEY0000000001', new_access_key_id: keys[1]!.id, old_status: 'Inactive' });
    const sink = [...acct.secrets.values()].find((s) => s.name === `nhi-recon/${A}/bob/access-key`)!;
    expect(out.sink_secret_arn).toBe(sink.arn);
    expect(sim.written.get(sink.arn)!.size).toBe(1);
    // Nothing secret-shaped in what is returned: ids and ARNs only.
    expect(JSON.stringify(out)).not.toMatch(/SecretAccessKey|[A-Za-z0-9/+]{40}/);
    const v = await rem.verify(ctx, 'rotate-access-key', t);
    expect(v).toMatchObject({ ok: true, evidence: { active: false, replacement_access_key_id: keys[1]!.id } });
  });

  it('never repeats CreateAccessKey after an unparseable answer, and never quotes its body (it holds the secret)', async () => {
    const { sim, acct, store, runId, ctx } = await setup();
    const t = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/bob#%'");
    sim.faults.add({ match: 'iam:CreateAccessKey', kind: 'malformed', times: 1 });
    const err = await rem.execute(ctx, 'rotate-access-key', t, await rem.read(ctx, t)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/CreateAccessKey for bob failed: .*could not be parsed.*by hand/);
    expect((err as Error).message).not.toMatch(/SecretAccessKey|[A-Za-z0-9/+]{40}/);
    expect(sim.calls.get('iam:CreateAccessKey')).toBe(1);
    // The old key is untouched: nothing was deactivated on a rotation that did not complete.
    expect(acct.users.get('bob')!.keys[0]!.status).toBe('Active');
  });

  it('deletes a login profile, detaches a managed policy, deletes an inline policy and removes a group membership, each verified and (where possible) rolled back', async () => {
    const { acct, store, runId, ctx } = await setup();
    const ci = acct.users.get('ci')!;
    const pw = await target(store, runId, 'credential', "kind = 'password' AND ref LIKE '%user/bob#login-profile'");
    const pwBefore = await rem.read(ctx, pw);
    await rem.execute(ctx, 'delete-login-profile', pw, pwBefore);
    expect(acct.users.get('bob')!.login).toBeUndefined();
    expect((await rem.verify(ctx, 'delete-login-profile', pw)).ok).toBe(true);
    await expect(rem.rollback!(ctx, 'delete-login-profile', pw, pwBefore)).rejects.toThrow(/cannot be undone/);

    const managed = await target(store, runId, 'entitlement', "identity_name = 'ci' AND permission = $2", [`arn:aws:iam::${A}:policy/deploy`]);
    const mBefore = await rem.read(ctx, managed);
    expect(mBefore.exists).toBe(true);
    await rem.execute(ctx, 'detach-managed-policy', managed, mBefore);
    expect(ci.attached).toEqual([]);
    expect((await rem.verify(ctx, 'detach-managed-policy', managed)).ok).toBe(true);
    await rem.rollback!(ctx, 'detach-managed-policy', managed, mBefore);
    expect(ci.attached).toEqual([`arn:aws:iam::${A}:policy/deploy`]);

    const inline = await target(store, runId, 'entitlement', "identity_name = 'ci' AND permission = 'inline-policy:extra'");
    const iBefore = await rem.read(ctx, inline);
    expect(iBefore.state.document).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    await rem.execute(ctx, 'delete-inline-policy', inline, iBefore);
    expect(ci.inline).toEqual([]);
    expect((await rem.verify(ctx, 'delete-inline-policy', inline)).ok).toBe(true);
    await rem.rollback!(ctx, 'delete-inline-policy', inline, iBefore);
    expect(ci.inline).toEqual([{ name: 'extra', doc: iBefore.state.document }]);

    const viaGroup = await target(store, runId, 'entitlement', "identity_name = 'ci' AND via = 'group'");
    const gBefore = await rem.read(ctx, viaGroup);
    await expect(rem.execute(ctx, 'detach-managed-policy', viaGroup, gBefore)).rejects.toThrow(/affect every member/);
    await rem.execute(ctx, 'remove-user-from-group', viaGroup, gBefore);
    expect(ci.groups).toEqual([]);
    expect((await rem.verify(ctx, 'remove-user-from-group', viaGroup)).ok).toBe(true);
    await rem.rollback!(ctx, 'remove-user-from-group', viaGroup, gBefore);
    expect(ci.groups).toEqual(['admins']);
  });

  it('rotate-secret starts configured rotation only, and verifies it by reading back', async () => {
    const { sim, store, runId, ctx } = await setup();
    const stat = await target(store, runId, 'credential', "kind = 'stored_secret' AND name = 'static'");
    await expect(rem.execute(ctx, 'rotate-secret', stat, await rem.read(ctx, stat))).rejects.toThrow(/no rotation configured/);
    const rot = await target(store, runId, 'credential', "kind = 'stored_secret' AND name = 'rotating'");
    const before = await rem.read(ctx, rot);
    expect(before).toMatchObject({ exists: true, active: true, state: { rotation_enabled: true, last_rotated: null } });
    await rem.execute(ctx, 'rotate-secret', rot, before);
    const v = await rem.verify(ctx, 'rotate-secret', rot);
    expect(v.ok).toBe(true);
    expect(v.evidence.current_version).not.toBe(before.state.current_version);
    expect(sim.calls.get('secretsmanager:GetSecretValue')).toBeUndefined();
  });
});

// D4: every key a rotation creates is journaled before the next provider call, and a re-run after a crash finishes
// or undoes it — never two active keys, never a key no record names.
describe('aws rotate-access-key: a crash mid-rotation leaves nothing orphaned', () => {
  const die = new Error('SIGKILL (simulated: the process ends right after this journal write)');
  const crashAt = (step: string, journal: Record<string, unknown>[]) => async (p: Record<string, unknown>) => {
    journal.push(p);
    if (p.step === step) throw die;
  };

  it('killed after CreateAccessKey, before the sink: the journaled key is deleted and the rotation runs again to one active key', async () => {
    const { acct, store, runId, ctx, sim } = await setup();
    const t = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/bob#%'");
    const before = await rem.read(ctx, t);
    const journal: Record<string, unknown>[] = [];
    const intentAt = new Date(Date.now() - 1000);
    await expect(rem.execute(ctx, 'rotate-access-key', t, before, crashAt('created', journal))).rejects.toBe(die);
    const bob = acct.users.get('bob')!;
    expect(bob.keys.map((k) => k.status)).toEqual(['Active', 'Active']); // what the review found: two active keys
    // The created key's id reached the journal before the sink was called, unredacted: it is an identifier.
    expect(journal).toEqual([expect.objectContaining({ step: 'created', new_access_key_id: bob.keys[1]!.id, old_access_key_id: 'AKIABOBKEY0000000001' })]);
    expect(sim.calls.get('secretsmanager:PutSecretValue') ?? 0).toBe(0);

    const r = await rem.recover!(ctx, 'rotate-access-key', t, before, { progress: journal.at(-1)!, intent_at: intentAt });
    expect(r).toEqual({ outcome: 'undone', evidence: expect.objectContaining({ deleted_orphan_access_key_ids: [journal[0]!.new_access_key_id] }) });
    expect(bob.keys.map((k) => [k.id, k.status])).toEqual([['AKIABOBKEY0000000001', 'Active']]);
    // Run again: exactly one active key afterwards, and it is the one in the sink.
    const out = await rem.execute(ctx, 'rotate-access-key', t, await rem.read(ctx, t));
    expect(bob.keys.filter((k) => k.status === 'Active').map((k) => k.id)).toEqual([out.new_access_key_id]);
    expect((await rem.verify(ctx, 'rotate-access-key', t)).ok).toBe(true);
  });

  it('killed after the sink, before the old key was deactivated: the rotation is finished, not repeated', async () => {
    const { acct, store, runId, ctx, sim } = await setup();
    const t = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/bob#%'");
    const before = await rem.read(ctx, t);
    const journal: Record<string, unknown>[] = [];
    await expect(rem.execute(ctx, 'rotate-access-key', t, before, crashAt('stored', journal))).rejects.toBe(die);
    const stored = journal.at(-1)!;
    expect(stored).toMatchObject({ step: 'stored', sink_secret_arn: expect.stringContaining(':secret:nhi-recon/') });
    const r = await rem.recover!(ctx, 'rotate-access-key', t, before, { progress: stored, intent_at: new Date(Date.now() - 1000) });
    expect(r).toMatchObject({ outcome: 'done', result: { new_access_key_id: stored.new_access_key_id, sink_secret_arn: stored.sink_secret_arn, old_status: 'Inactive' } });
    const bob = acct.users.get('bob')!;
    expect(bob.keys.map((k) => [k.id, k.status])).toEqual([['AKIABOBKEY0000000001', 'Inactive'], [stored.new_access_key_id, 'Active']]);
    expect(sim.calls.get('iam:CreateAccessKey')).toBe(1);
  });

  it('CreateAccessKey answered but nothing journaled (unparseable answer or a kill before the write): the unnamed key is found by its creation time and deleted', async () => {
    const { acct, store, runId, ctx, sim } = await setup();
    const t = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/bob#%'");
    const before = await rem.read(ctx, t);
    const intentAt = new Date();
    sim.faults.add({ match: 'iam:CreateAccessKey', kind: 'malformed', times: 1 });
    await expect(rem.execute(ctx, 'rotate-access-key', t, before)).rejects.toThrow(/CreateAccessKey for bob failed/);
    const bob = acct.users.get('bob')!;
    expect(bob.keys).toHaveLength(2); // the simulator created it; its id never reached us
    const r = await rem.recover!(ctx, 'rotate-access-key', t, before, { progress: null, intent_at: intentAt });
    expect(r).toMatchObject({ outcome: 'undone' });
    expect(bob.keys.map((k) => [k.id, k.status])).toEqual([['AKIABOBKEY0000000001', 'Active']]);
    // A key that predates the intent is never touched.
    expect(await rem.recover!(ctx, 'rotate-access-key', t, before, { progress: null, intent_at: intentAt })).toBeUndefined();
  });

  it('the rotation refusal names both keys and never advises deleting an active one', async () => {
    const { store, runId, ctx } = await setup();
    const ci = await target(store, runId, 'credential', "kind = 'access_key' AND ref LIKE '%user/ci#%2024-01-01%'");
    const err = await rem.execute(ctx, 'rotate-access-key', ci, await rem.read(ctx, ci)).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/AKIACIKEY00000000001 \(Active.*AKIACIKEY00000000002 \(Active/);
    expect((err as Error).message).toMatch(/Both are active/);
    expect((err as Error).message).not.toMatch(/delete the inactive/i);
  });
});
