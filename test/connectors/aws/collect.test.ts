import { describe, expect, it } from 'vitest';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { generateEstate, userArn } from '../../../src/sim/aws/estate.js';
import { SIM_ENV, awsSource, startSim } from './helpers.js';

describe('aws connector: collection against the simulator', () => {
  it('collects identities, credentials and entitlements equal to the seeded estate', async () => {
    const estate = generateEstate({ seed: 7, users: 30, roles: 12, groups: 3, secrets: 0 });
    const acct = estate.accounts.get('111111111111')!;
    acct.reportDelayPolls = 2;
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [awsSource(sim)], authority: { required: false } });
    const { runId, outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(outcomes).toMatchObject([{ tenant: '111111111111', status: 'complete', error: null }]);
    const ids = await store.all<{ kind: string; n: number }>('SELECT kind, count(*)::INT AS n FROM identities WHERE run_id = $1 GROUP BY kind ORDER BY kind', [runId]);
    expect(ids).toEqual([{ kind: 'group', n: 3 }, { kind: 'role', n: 12 }, { kind: 'user', n: 31 }]);
    const keys = [...acct.users.values()].flatMap((u) => u.keys.map((k) => ({ u, k })));
    const creds = await store.all<{ ref: string; status: string; last_used_at: Date | null; created_at: Date }>("SELECT ref, status, last_used_at, created_at FROM credentials WHERE run_id = $1 AND kind = 'access_key' ORDER BY ref", [runId]);
    expect(creds).toHaveLength(keys.length);
    for (const { u, k } of keys) {
      const c = creds.find((x) => x.ref === `${userArn(acct.id, u)}#access-key:${k.created.toISOString().replace('.000Z', 'Z')}`);
      expect(c, `${u.name} key`).toBeDefined();
      expect(c!.status).toBe(k.status === 'Active' ? 'active' : 'inactive');
      expect(c!.last_used_at?.toISOString() ?? null).toBe(k.lastUsed?.date.toISOString() ?? null);
    }
    const pw = await store.one<{ n: number }>("SELECT count(*)::INT AS n FROM credentials WHERE run_id = $1 AND kind = 'password'", [runId]);
    expect(pw!.n).toBe([...acct.users.values()].filter((u) => u.login).length + 1);
    // Human inference: console password → human; keys without console → not human.
    const humans = await store.all<{ name: string; human: boolean | null }>("SELECT name, human FROM identities WHERE run_id = $1 AND kind = 'user' AND name <> 'root'", [runId]);
    for (const h of humans) {
      const u = acct.users.get(h.name)!;
      expect(h.human, h.name).toBe(u.login ? true : u.keys.some((k) => k.status === 'Active') ? false : null);
    }
    // Entitlements: one per principal × policy, group policies on each member via the group.
    const expected = [...acct.users.values()].reduce((n, u) => n + u.attached.length + u.inline.length + u.groups.reduce((m, g) => m + acct.groups.get(g)!.attached.length, 0), 0)
      + [...acct.roles.values()].reduce((n, r) => n + r.attached.length + r.inline.length, 0);
    const ents = await store.one<{ n: number }>("SELECT count(*)::INT AS n FROM entitlements WHERE run_id = $1 AND permission <> 'effective-permissions'", [runId]);
    expect(ents!.n).toBe(expected);
    // Bulk APIs, plus one live ListAccessKeys per user the report shows with a key (status and ids must not come from a
    // report up to 4 h old); last use comes from the report, so no GetAccessKeyLastUsed.
    expect(sim.calls.get('iam:ListAccessKeys') ?? 0).toBe([...acct.users.values()].filter((u) => u.keys.length).length);
    expect(sim.calls.get('iam:GetAccessKeyLastUsed') ?? 0).toBe(0);
    expect(sim.calls.get('iam:GenerateCredentialReport')).toBe(4);
    const run = await store.one<{ api_calls: number }>('SELECT api_calls FROM source_runs WHERE run_id = $1', [runId]);
    expect(run!.api_calls).toBe(sim.totalCalls()); // GetCallerIdentity during validate included
  });

  it('reads key status live: a key deactivated after the credential report was generated is inactive in the next scan (D11)', async () => {
    const estate = generateEstate({ seed: 8, users: 5, roles: 2, groups: 1, secrets: 0 });
    const acct = estate.accounts.get('111111111111')!;
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [awsSource(sim)], authority: { required: false } });
    await collectRun(store, loaded, { env: SIM_ENV });
    const user = [...acct.users.values()].find((u) => u.keys.some((k) => k.status === 'Active'))!;
    const key = user.keys.find((k) => k.status === 'Active')!;
    key.status = 'Inactive'; // as UpdateAccessKey does; the credential report (reused for 4 h) still says active
    sim.calls.clear();
    const { runId } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(sim.calls.get('iam:GenerateCredentialReport')).toBe(1); // the reused report, not a new one
    const row = await store.one<Record<string, any>>('SELECT status, fingerprint FROM credentials WHERE run_id = $1 AND fingerprint = $2', [runId, key.id]);
    expect(row).toEqual({ status: 'inactive', fingerprint: key.id });
  });

  it('reads keys one by one only for users created after the (fresh, reused) credential report', async () => {
    const estate = generateEstate({ seed: 8, users: 5, roles: 2, groups: 1, secrets: 0 });
    const acct = estate.accounts.get('111111111111')!;
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [awsSource(sim)], authority: { required: false } });
    await collectRun(store, loaded, { env: SIM_ENV });
    const created = new Date(Math.floor(Date.now() / 1000) * 1000);
    acct.users.set('late', { name: 'late', id: 'AIDALATE', path: '/', created, tags: {}, groups: [], attached: [], inline: [], mfa: false, certs: [],
      keys: [{ id: 'AKIALATEKEY000000001', status: 'Active', created, lastUsed: { date: created, region: 'us-east-1', service: 'sts' } }] });
    sim.calls.clear();
    const { runId, outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(outcomes[0]!.status).toBe('complete');
    // Every user with a key is listed live; only the key the report does not know costs a GetAccessKeyLastUsed.
    expect(Object.fromEntries(sim.calls)).toMatchObject({ 'iam:GenerateCredentialReport': 1, 'iam:ListAccessKeys': [...acct.users.values()].filter((u) => u.keys.length).length, 'iam:GetAccessKeyLastUsed': 1 });
    const key = await store.one<Record<string, any>>("SELECT * FROM credentials WHERE run_id = $1 AND identity_ref LIKE '%user/late'", [runId]);
    expect(key).toMatchObject({ kind: 'access_key', status: 'active', fingerprint: 'AKIALATEKEY000000001', last_used_known: true });
    expect(key!.last_used_at.toISOString()).toBe(created.toISOString());
    const late = await store.one<Record<string, any>>("SELECT human, last_used_known FROM identities WHERE run_id = $1 AND name = 'late'", [runId]);
    expect(late).toEqual({ human: false, last_used_known: true });
  });
});
