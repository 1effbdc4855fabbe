// A finding names the kind of record its subject is, so the planner looks for it in the right table: a rule about
// identities that reports a credential (a departed person's token) makes a credential finding.
import { describe, expect, it } from 'vitest';
import { openStore } from '../helpers/index.js';
import { daysAgo, daysAhead, reconcileSeed } from './harness.js';

const bob = { id: 'bob', name: 'Bob', status: 'departed', departed_at: '2026-03-01', logins: { prov: ['bob'] } };
const svc = { ref: 'svc', kind: 'service_account', name: 'deployer', human: false, created_at: daysAgo(400), last_used_at: daysAgo(1) };

describe('finding subject types', () => {
  it('departed-person-access about a credential is a credential finding; about an account, an identity finding', async () => {
    const store = await openStore();
    const { findings } = await reconcileSeed(store, {
      people: [bob],
      identities: [svc, { ref: 'u-bob', kind: 'user', name: 'bob', login: 'bob', human: true }],
      credentials: [{ ref: 'k1', kind: 'access_key', name: 'AKIA-1', identity_ref: 'svc', created_by: 'bob', created_at: daysAgo(30), last_used_at: daysAgo(1), expires_at: daysAhead(60) }],
      entitlements: [{ ref: 'e2', identity_ref: 'u-bob', identity_name: 'bob', resource_ref: 'repo/web', permission: 'write', level: 'write' }],
    });
    const dpa = findings.filter((f) => f.rule_id === 'departed-person-access').map((f) => [f.subject_ref, f.subject_type]);
    expect(dpa).toEqual([['k1', 'credential'], ['u-bob', 'identity']]);
  });
});
