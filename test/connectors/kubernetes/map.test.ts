import { describe, expect, it } from 'vitest';
import { gcpServiceAccountRef, levelFromName, mintEdges, rbacLevel, subjectIdentity, tokenCredential, type PolicyRule } from '../../../src/connectors/kubernetes/map.js';
import { saRef } from '../../../src/connectors/gcp/map.js';

const lv = (...rules: PolicyRule[]) => { const r = rbacLevel(rules); return `${r.level}${r.privileged ? ' privileged' : ''}`; };
const core = (resources: string[], verbs: string[], extra: Partial<PolicyRule> = {}): PolicyRule => ({ apiGroups: [''], resources, verbs, ...extra });
const rbac = (resources: string[], verbs: string[]): PolicyRule => ({ apiGroups: ['rbac.authorization.k8s.io'], resources, verbs });

describe('rbacLevel: the level of a role from its rules', () => {
  it('cluster-admin is owner; all verbs on all resources of one group is not', () => {
    expect(lv({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] })).toBe('owner privileged');
    expect(lv({ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] })).toBe('write');
    // All core resources include Secrets: reading them makes it privileged.
    expect(lv(core(['*'], ['*']))).toBe('admin privileged');
  });

  it('reading Secrets is admin and privileged; creating them, or reading in another group, is not', () => {
    expect(lv(core(['secrets'], ['get']))).toBe('admin privileged');
    expect(lv(core(['secrets'], ['list']))).toBe('admin privileged');
    expect(lv(core(['secrets'], ['watch']))).toBe('admin privileged');
    expect(lv(core(['secrets'], ['get'], { resourceNames: ['one'] }))).toBe('admin privileged');
    expect(lv(core(['secrets'], ['create']))).toBe('write');
    expect(lv({ apiGroups: ['example.com'], resources: ['secrets'], verbs: ['get'] })).toBe('read');
    expect(lv(core(['configmaps'], ['get', 'list']))).toBe('read');
  });

  it('exec and attach into pods are privileged; reading pods and their logs is not', () => {
    expect(lv(core(['pods/exec'], ['create']))).toBe('admin privileged');
    expect(lv(core(['pods/exec'], ['get']))).toBe('admin privileged');
    expect(lv(core(['pods/attach'], ['create']))).toBe('admin privileged');
    expect(lv(core(['*/exec'], ['create']))).toBe('admin privileged');
    expect(lv(core(['pods', 'pods/log'], ['get', 'list', 'watch']))).toBe('read');
  });

  it('impersonate, bind, escalate, writing role bindings and minting tokens are privileged; reading them is not', () => {
    expect(lv(core(['users', 'groups'], ['impersonate']))).toBe('admin privileged');
    expect(lv({ apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'], verbs: ['impersonate'] })).toBe('admin privileged');
    expect(lv(core(['users'], ['get']))).toBe('read');
    expect(lv(rbac(['clusterroles'], ['bind']))).toBe('admin privileged');
    expect(lv(rbac(['roles'], ['escalate']))).toBe('admin privileged');
    expect(lv(rbac(['roles', 'clusterroles'], ['get', 'list']))).toBe('read');
    expect(lv(rbac(['rolebindings'], ['create']))).toBe('admin privileged');
    expect(lv(rbac(['clusterrolebindings'], ['patch']))).toBe('admin privileged');
    expect(lv(rbac(['rolebindings'], ['get', 'list', 'watch']))).toBe('read');
    expect(lv(rbac(['rolebindings'], ['delete']))).toBe('write');
    expect(lv(core(['serviceaccounts/token'], ['create']))).toBe('admin privileged');
    expect(lv(core(['serviceaccounts'], ['get', 'list']))).toBe('read');
  });

  it('write verbs are write; non-resource URLs count; no rule is none; reasons are listed', () => {
    expect(lv(core(['configmaps'], ['update']))).toBe('write');
    expect(lv({ nonResourceURLs: ['/metrics'], verbs: ['get'] })).toBe('read');
    expect(lv({ nonResourceURLs: ['/debug/*'], verbs: ['post'] })).toBe('write');
    expect(lv()).toBe('none');
    expect(lv(core(['pods'], []))).toBe('none');
    expect(rbacLevel([core(['secrets'], ['get']), core(['pods/exec'], ['create'])]).reasons).toEqual(['execs into pods', 'reads secrets']);
  });

  it('an unreadable role is judged from its name, towards more access', () => {
    expect(levelFromName('ClusterRole', 'cluster-admin')).toMatchObject({ level: 'owner', privileged: true });
    expect(levelFromName('ClusterRole', 'edit')).toMatchObject({ level: 'admin', privileged: true });
    expect(levelFromName('Role', 'log-viewer')).toMatchObject({ level: 'read', privileged: false });
    expect(levelFromName('Role', 'deployer')).toMatchObject({ level: 'write', privileged: false });
    expect(levelFromName('Role', 'secret-reader')).toMatchObject({ level: 'admin', privileged: true });
  });
});

describe('subjects, tokens and workload identity', () => {
  it('maps subjects: a service-account user is the account; the anonymous group is the public', () => {
    expect(subjectIdentity('c', { kind: 'User', name: 'system:serviceaccount:ns1:bot' }, undefined)?.ref).toBe('k8s:c/ns1/bot');
    expect(subjectIdentity('c', { kind: 'ServiceAccount', name: 'bot' }, 'ns2')?.ref).toBe('k8s:c/ns2/bot');
    expect(subjectIdentity('c', { kind: 'ServiceAccount', name: 'bot' }, undefined)).toBeNull();
    expect(subjectIdentity('c', { kind: 'Group', name: 'system:unauthenticated' }, undefined)?.identity).toMatchObject({ kind: 'public', human: null });
    expect(subjectIdentity('c', { kind: 'User', name: 'alice' }, undefined)).toMatchObject({ ref: 'k8s:c/user:alice', system: false, identity: { kind: 'user', login: 'alice', human: null } });
    expect(subjectIdentity('c', { kind: 'Group', name: 'system:masters' }, undefined)).toMatchObject({ ref: 'k8s:c/group:system:masters', system: true });
  });

  it('forms the GCP connector’s service-account ref exactly', () => {
    for (const email of ['metrics@acme-ops.iam.gserviceaccount.com', '123-compute@developer.gserviceaccount.com', 'x@p12345.iam.gserviceaccount.com']) {
      expect(gcpServiceAccountRef(email)).toBe(saRef(email));
    }
  });

  it('reads workload-identity annotations, refusing values that are not identities', () => {
    const ok = mintEdges('ns', 'sa', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/path/app', 'eks.amazonaws.com/audience': 'custom',
      'azure.workload.identity/client-id': '6F1C2D3E-4A5B-4C6D-8E7F-000000000ABC' }, 'tenant-x');
    expect(ok.invalid).toEqual([]);
    expect(ok.edges.map((e) => [e.facts.target_provider, e.facts.target_ref, e.facts.audience])).toEqual([
      ['aws', 'arn:aws:iam::123456789012:role/path/app', 'custom'],
      ['azure', 'azure:tenant-x/app/6f1c2d3e-4a5b-4c6d-8e7f-000000000abc', 'api://AzureADTokenExchange'],
    ]);
    const noTenant = mintEdges('ns', 'sa', { 'azure.workload.identity/client-id': '6f1c2d3e-4a5b-4c6d-8e7f-000000000abc' }, undefined);
    expect(noTenant.edges[0]!.facts.target_ref).toBe('azure:-/app/6f1c2d3e-4a5b-4c6d-8e7f-000000000abc');
    const bad = mintEdges('ns', 'sa', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:user/alice', 'iam.gke.io/gcp-service-account': 'not an email', 'azure.workload.identity/client-id': 'nope' }, undefined);
    expect(bad.edges).toEqual([]);
    expect(bad.invalid).toHaveLength(3);
    expect(mintEdges('ns', 'sa', undefined, undefined)).toEqual({ edges: [], invalid: [] });
  });

  it('maps a token Secret: never expiring, last use from the label, inactive when marked or orphaned', () => {
    const m = { name: 't', namespace: 'ns', uid: 'u1', creationTimestamp: '2025-01-01T00:00:00Z',
      annotations: { 'kubernetes.io/service-account.name': 'bot', 'kubernetes.io/service-account.uid': 'sa-1' } };
    expect(tokenCredential('c', m, 'sa-1')).toMatchObject({ ref: 'k8s:c/ns/secret/t', kind: 'sa_token', identity_ref: 'k8s:c/ns/bot', expires_at: null,
      expiry_supported: true, last_used_at: null, last_used_known: false, status: 'active' });
    expect(tokenCredential('c', { ...m, labels: { 'kubernetes.io/legacy-token-last-used': '2026-11-30' } }, 'sa-1'))
      .toMatchObject({ last_used_at: new Date('2026-11-30T00:00:00Z'), last_used_known: true, status: 'active' });
    expect(tokenCredential('c', { ...m, labels: { 'kubernetes.io/legacy-token-invalid-since': '2026-11-01' } }, 'sa-1').status).toBe('inactive');
    expect(tokenCredential('c', m, 'sa-2').status).toBe('inactive');
    expect(tokenCredential('c', m, null).status).toBe('inactive'); // the account is gone
    expect(tokenCredential('c', m, undefined).status).toBe('active'); // accounts unlisted: unknown, judged as live
  });
});
