// Review rules that need more than one run or a non-default policy (the data cases are in cases-review.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { reconcile } from '../../src/reconcile/engine.js';
import { NOW, POLICY, daysAgo, daysAhead, seedRun, type Seed } from './harness.js';

let store: Store; let dir: string;
beforeEach(async () => { dir = mkdtempSync(join(tmpdir(), 'nhi-review-')); store = await Store.open(join(dir, 'r.duckdb')); });
afterEach(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

const svc = { ref: 'svc', kind: 'service_account', name: 'deployer', human: false, created_at: daysAgo(400), last_used_at: daysAgo(2) };
const ent = { ref: 'e1', identity_ref: 'svc', identity_name: 'deployer', resource_ref: 'repo/web', permission: 'write', level: 'write' };
const grant = { id: 'G1', provider: 'prov', identity: 'svc', resource: 'repo/web', permission: 'write', max_level: 'write', owner: 'alice', expires_at: daysAhead(30) };
const person = (team: string) => ({ id: 'alice', status: 'active', team, logins: { prov: ['alice'] } });

async function rules(seed: Seed, now: Date, policy: typeof POLICY & Record<string, unknown> = POLICY): Promise<{ rule_id: string; subject_ref: string; reason: string }[]> {
  const runId = await seedRun(store, seed, now);
  await reconcile(store, { runId, now, policy });
  return store.all(`SELECT rule_id, subject_ref, reason FROM findings WHERE run_id = $1 AND status <> 'resolved'`, [runId]);
}

describe('mover-access from authority history', () => {
  it('fires when the owner was on another team in the first run that held the grant', async () => {
    const first = await rules({ identities: [svc], entitlements: [ent], grants: [grant], people: [person('data')] }, new Date(NOW.getTime() - 86_400_000));
    expect(first.filter((f) => f.rule_id === 'mover-access')).toEqual([]);
    const second = await rules({ identities: [svc], entitlements: [ent], grants: [grant], people: [person('platform')] }, NOW);
    const movers = second.filter((f) => f.rule_id === 'mover-access');
    expect(movers.map((f) => f.subject_ref)).toEqual(['G1']);
    expect(movers[0]!.reason).toMatch(/on team data; they are on team platform now/);
  });

  it('does not fire when the team is unchanged across runs', async () => {
    await rules({ identities: [svc], entitlements: [ent], grants: [grant], people: [person('data')] }, new Date(NOW.getTime() - 86_400_000));
    const second = await rules({ identities: [svc], entitlements: [ent], grants: [grant], people: [person('data')] }, NOW);
    expect(second.filter((f) => f.rule_id === 'mover-access')).toEqual([]);
  });
});

describe('review policy', () => {
  it('break_glass patterns from config mark identities by ref or name', async () => {
    const f = await rules({ identities: [svc], entitlements: [ent], grants: [grant], people: [person('data')] }, NOW, { ...POLICY, review: { break_glass: ['deploy*'] } });
    expect(f.filter((x) => x.rule_id === 'break-glass-used').map((x) => x.subject_ref)).toEqual(['svc']);
    const g = await rules({ identities: [svc], entitlements: [ent], grants: [grant], people: [person('data')] }, NOW, { ...POLICY, review: { break_glass: ['other*'] } });
    expect(g.filter((x) => x.rule_id === 'break-glass-used')).toEqual([]);
  });

  it('max_grant_days is per level and configurable', async () => {
    const f = await rules({ identities: [svc], entitlements: [ent], grants: [grant], people: [person('data')] }, NOW,
      { ...POLICY, review: { max_grant_days: { read: 365, write: 20, admin: 10, owner: 10 } } });
    expect(f.filter((x) => x.rule_id === 'grant-expiry-too-long').map((x) => x.subject_ref)).toEqual(['G1']);
  });
});
