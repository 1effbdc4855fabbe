// Rule cases for workload identity federation trusts (issue #17): the mint facts are the GCP connector's own judgement
// of a pool member with its providers (src/connectors/gcp/wif.ts), so each near miss here is one the connector makes.
import { judgeWifMember, parseWifMember, type WifPool, type WifProvider } from '../../src/connectors/gcp/wif.js';
import type { Seed } from './harness.js';
import type { RuleCase } from './cases.js';

const POOL = 'projects/1001/locations/global/workloadIdentityPools/gh';
const TARGET = 'projects/acme-web/serviceAccounts/admin@acme-web.iam.gserviceaccount.com';
const MAPPING = { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' };
const github = (extra: Partial<WifProvider> = {}): WifProvider => ({ name: `${POOL}/providers/github`, oidc: { issuerUri: 'https://token.actions.githubusercontent.com' }, attributeMapping: MAPPING, ...extra });
const pool = (...providers: WifProvider[]): WifPool => ({ name: POOL, state: 'ACTIVE', providers });

/** The entitlement the connector emits for a workloadIdentityUser binding of `select` on an admin account. */
function seed(select: string, p: WifPool): Seed {
  const member = `principalSet://iam.googleapis.com/${POOL}/${select}`;
  const j = judgeWifMember(parseWifMember(member)!, p);
  const mint = j.edge ? { mechanism: 'workload_identity', issuer: j.edge.issuer, subject: j.edge.subject, audience: j.edge.audience, breadth: j.edge.breadth, missing: j.edge.missing,
    target_provider: 'prov', target_ref: TARGET, conditions: { member, assumptions: j.assumptions } } : null;
  return {
    owners: [{ provider: 'prov', identity: member, owner: 'alice' }], people: [{ id: 'alice', name: 'Alice', status: 'active', logins: { prov: ['alice'] } }],
    identities: [{ ref: member, kind: 'workload', name: `gh/${select}`, human: false, owner: 'alice', last_used_known: false }],
    entitlements: [{ ref: 'w1', identity_ref: member, identity_name: `gh/${select}`, resource_ref: TARGET, permission: 'roles/iam.workloadIdentityUser', level: 'admin', privileged: true, via: 'direct',
      attributes: mint ? { mint } : { workload_identity: { pool: POOL, admits_nobody: true, reason: j.nobody } } }],
  };
}

const RULE = 'federation-trust-too-broad';
export const WIF_CASES: RuleCase[] = [
  { rule: RULE, name: 'GCP pool: whole pool, GitHub provider without condition, on an admin account: critical', seed: seed('*', pool(github())), fires: ['w1'], severity: 'critical',
    reason: /anyone holding a token of https:\/\/token\.actions\.githubusercontent\.com without attribute_condition/ },
  { rule: RULE, name: 'GCP pool near miss: whole pool, provider condition pins the repository', seed: seed('*', pool(github({ attributeCondition: "assertion.repository == 'acme/web'" }))), fires: [] },
  { rule: RULE, name: 'GCP pool: condition pins the owner only (every repository of acme)', seed: seed('*', pool(github({ attributeCondition: "assertion.repository_owner == 'acme'" }))), fires: ['w1'], severity: 'high', reason: /without repository/ },
  { rule: RULE, name: 'GCP pool near miss: attribute.repository mapped from assertion.repository', seed: seed('attribute.repository/acme/web', pool(github())), fires: [] },
  { rule: RULE, name: 'GCP pool: attribute.repository mapped from the owner claim is no repository pin', seed: seed('attribute.repository/acme', pool(github({ attributeMapping: { ...MAPPING, 'attribute.repository': 'assertion.repository_owner' } }))), fires: ['w1'], severity: 'high' },
  { rule: RULE, name: 'GCP pool near miss: attribute.repository not mapped at all admits nobody', seed: seed('attribute.repository/acme/web', pool(github({ attributeMapping: { 'google.subject': 'assertion.sub' } }))), fires: [] },
  { rule: RULE, name: 'GCP pool near miss: the unconditioned provider is disabled', seed: seed('*', pool(github({ disabled: true }))), fires: [] },
  { rule: RULE, name: 'GCP pool: a disabled provider beside a live unconditioned one still admits everyone', seed: seed('*', pool(github({ disabled: true, attributeCondition: "assertion.repository == 'acme/web'" }), github({ name: `${POOL}/providers/old` }))), fires: ['w1'], severity: 'critical' },
];
