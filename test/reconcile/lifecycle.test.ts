import { describe, expect, it } from 'vitest';
import { openStore } from '../helpers/index.js';
import { NOW, daysAgo, daysAhead, reconcileSeed, type Seed } from './harness.js';

const day = 86_400_000;
const at = (n: number) => new Date(NOW.getTime() + n * day);
const people = [{ id: 'alice', status: 'active' }];
const owners = [{ provider: 'prov', identity: 'svc-a', owner: 'alice' }, { provider: 'prov', identity: 'svc-b', owner: 'alice' }];
const ident = (ref: string) => ({ ref, kind: 'service_account', name: ref, human: false, created_at: daysAgo(400), last_used_at: daysAgo(1) });
const ent = (id: string, tenant = 't1') => ({ ref: `e-${id}`, identity_ref: id, resource_ref: 'r', permission: 'write', level: 'write', tenant });

function seed(entIds: string[], extra: Partial<Seed> = {}): Seed {
  return { people, owners, identities: [ident('svc-a'), ident('svc-b')], entitlements: entIds.map((id) => ent(id)), ...extra };
}

const byRule = (fs: { rule_id: string; subject_ref: string; status: string }[], rule = 'ungranted-access') =>
  Object.fromEntries(fs.filter((f) => f.rule_id === rule).map((f) => [f.subject_ref, f.status]));

describe('finding lifecycle across runs', () => {
  it('goes new → open → resolved → regressed with a stable finding id and first_seen', async () => {
    const store = await openStore();
    const r1 = await reconcileSeed(store, seed(['svc-a', 'svc-b']), at(0));
    expect(byRule(r1.findings)).toEqual({ 'e-svc-a': 'new', 'e-svc-b': 'new' });
    const r2 = await reconcileSeed(store, seed(['svc-a']), at(1));
    expect(byRule(r2.findings)).toEqual({ 'e-svc-a': 'open', 'e-svc-b': 'resolved' });
    const resolved = r2.findings.find((f) => f.subject_ref === 'e-svc-b')!;
    expect(resolved.resolved_at).toEqual(at(1));
    const r3 = await reconcileSeed(store, seed(['svc-a', 'svc-b']), at(2));
    expect(byRule(r3.findings)).toEqual({ 'e-svc-a': 'open', 'e-svc-b': 'regressed' });
    const id = (fs: typeof r1.findings, ref: string) => fs.find((f) => f.subject_ref === ref && f.rule_id === 'ungranted-access')!;
    expect(id(r3.findings, 'e-svc-a').finding_id).toBe(id(r1.findings, 'e-svc-a').finding_id);
    expect(id(r3.findings, 'e-svc-a').first_seen).toEqual(at(0));
    expect(id(r3.findings, 'e-svc-b').first_seen).toEqual(at(0));
  });

  it('never resolves the findings of a tenant whose source failed or was partial: they are carried open', async () => {
    const store = await openStore();
    const twoTenants = (ids: string[], statuses: Seed['sourceRuns']) => seed([], {
      entitlements: [...ids.map((id) => ent(id, 't1')), ent('svc-b', 't2')], sourceRuns: statuses,
    });
    await reconcileSeed(store, twoTenants(['svc-a'], [{ tenant: 't1', status: 'complete' }, { tenant: 't2', status: 'complete' }]), at(0));
    // Next night t1 fails and returns nothing; t2 is complete and its access was removed.
    const r2 = await reconcileSeed(store, seed([], { entitlements: [], sourceRuns: [{ tenant: 't1', status: 'failed' }, { tenant: 't2', status: 'complete' }] }), at(1));
    const t1 = r2.findings.find((f) => f.subject_ref === 'e-svc-a' && f.rule_id === 'ungranted-access')!;
    const t2 = r2.findings.find((f) => f.subject_ref === 'e-svc-b' && f.rule_id === 'ungranted-access')!;
    expect(t1).toMatchObject({ status: 'open', carried: true, resolved_at: null, tenant: 't1' });
    expect(t2).toMatchObject({ status: 'resolved', carried: false, tenant: 't2' });
  });

  it('mutes findings with a live exception and reports them again once it expires', async () => {
    const store = await openStore();
    const exceptions = [{ rule: 'ungranted-access', match: 'e-svc-*', reason: 'migration', ticket: 'SEC-1', expires_at: daysAhead(1) }];
    const r1 = await reconcileSeed(store, seed(['svc-a'], { exceptions }), at(0));
    expect(r1.findings.find((f) => f.rule_id === 'ungranted-access')!.suppressed_by).toBe('x1');
    const r2 = await reconcileSeed(store, seed(['svc-a'], { exceptions }), at(2));
    expect(r2.findings.find((f) => f.rule_id === 'ungranted-access')!.suppressed_by).toBeNull();
    expect(r2.findings.some((f) => f.rule_id === 'expired-exception' && f.subject_ref === 'x1')).toBe(true);
  });

  it('a leak seen in one source about a credential of another is not resolved when the source that showed it fails', async () => {
    const store = await openStore();
    const key = { ref: 'arn:key/AKIAEXAMPLE000000001', source: 'aws', provider: 'aws', tenant: 'acct', kind: 'access_key', name: 'k', identity_ref: 'svc-a',
      created_at: daysAgo(30), last_used_at: daysAgo(1), fingerprint: 'AKIAEXAMPLE000000001' };
    const alert = { ref: 'gh:acme/web/secret_scanning_alert/3', source: 'gh', provider: 'github', tenant: 'acme', kind: 'exposed_secret', name: 'a', created_at: daysAgo(2),
      last_used_known: false, expiry_supported: false, fingerprint: 'AKIAEXAMPLE000000001', leak_signal: 'open alert #3', attributes: { exposed_in: 'gh:acme/web' } };
    const both = [{ source: 'aws', provider: 'aws', tenant: 'acct', status: 'complete' as const }, { source: 'gh', provider: 'github', tenant: 'acme', status: 'complete' as const }];
    const leak = (fs: { rule_id: string; subject_ref: string }[]) => fs.find((f) => f.rule_id === 'leaked-credential' && f.subject_ref === key.ref);
    const r1 = await reconcileSeed(store, seed([], { credentials: [key, alert], sourceRuns: both }), at(0));
    expect(leak(r1.findings)).toMatchObject({ status: 'new' });
    // The GitHub source fails: the alert is not seen, the AWS account is complete. Absence is not evidence here.
    const r2 = await reconcileSeed(store, seed([], { credentials: [key], sourceRuns: [both[0]!, { ...both[1]!, status: 'failed' }] }), at(1));
    expect(leak(r2.findings)).toMatchObject({ status: 'open', carried: true, resolved_at: null });
    // Both complete and the alert closed: now it is resolved.
    const r3 = await reconcileSeed(store, seed([], { credentials: [key], sourceRuns: both }), at(2));
    expect(leak(r3.findings)).toMatchObject({ status: 'resolved', carried: false });
  });
});
