import { describe, expect, it } from 'vitest';
import { applyDeny, conditionExpiry, keyExpiry, mapRole, memberIdentity, principalMatches, saRef, v1PermissionPattern } from '../../../src/connectors/gcp/map.js';

describe('gcp mapping', () => {
  it('maps every member kind to an identity', () => {
    const kinds = ['user:a@x.com', 'serviceAccount:s@proj-123.iam.gserviceaccount.com', 'serviceAccount:123-compute@developer.gserviceaccount.com',
      'group:g@x.com', 'domain:x.com', 'allUsers', 'allAuthenticatedUsers',
      'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/repo:acme/web',
      'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*', 'deleted:serviceAccount:old@proj-123.iam.gserviceaccount.com?uid=42',
    ].map((m) => { const i = memberIdentity(m); return [i.kind, i.ref, i.human]; });
    expect(kinds).toEqual([
      ['user', 'user:a@x.com', true],
      ['service_account', 'projects/proj-123/serviceAccounts/s@proj-123.iam.gserviceaccount.com', false],
      ['service_account', 'projects/-/serviceAccounts/123-compute@developer.gserviceaccount.com', false],
      ['group', 'group:g@x.com', null], ['group', 'domain:x.com', null], ['public', 'allUsers', null], ['public', 'allAuthenticatedUsers', null],
      ['workload', 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/repo:acme/web', false],
      ['workload', 'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*', false],
      ['service_account', saRef('old@proj-123.iam.gserviceaccount.com'), false],
    ]);
    expect(memberIdentity('deleted:serviceAccount:old@proj-123.iam.gserviceaccount.com?uid=42').attributes).toMatchObject({ deleted: true });
  });

  it('maps roles to levels by their permissions, basic roles by name', () => {
    expect(mapRole('roles/owner', null)).toEqual({ level: 'owner', privileged: true });
    expect(mapRole('roles/editor', [])).toEqual({ level: 'write', privileged: true });
    expect(mapRole('roles/viewer', ['resourcemanager.projects.get'])).toEqual({ level: 'read', privileged: false });
    expect(mapRole('roles/x', ['storage.buckets.setIamPolicy'])).toEqual({ level: 'admin', privileged: true });
    expect(mapRole('roles/x', ['iam.serviceAccountKeys.create'])).toEqual({ level: 'admin', privileged: true });
    expect(mapRole('roles/x', ['secretmanager.versions.access'])).toEqual({ level: 'read', privileged: true });
    expect(mapRole('roles/x', ['storage.objects.get', 'storage.objects.create'])).toEqual({ level: 'write', privileged: false });
    expect(mapRole('roles/x', ['storage.objects.get'])).toEqual({ level: 'read', privileged: false });
    // An unreadable definition errs towards more access.
    expect(mapRole('roles/storage.admin', null)).toEqual({ level: 'admin', privileged: true });
    expect(mapRole('roles/run.invoker', null)).toEqual({ level: 'write', privileged: false });
  });

  it('reads a binding expiry from request.time conditions only when it bounds the binding', () => {
    expect(conditionExpiry('request.time < timestamp("2030-01-01T00:00:00Z")').expiresAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(conditionExpiry('resource.name.startsWith("x") && request.time < timestamp(\'2030-01-01T00:00:00Z\')').timeBound).toBe(true);
    expect(conditionExpiry('request.time < timestamp("2030-01-01T00:00:00Z") || resource.type == "x"')).toEqual({ expiresAt: null, timeBound: false });
    expect(conditionExpiry('resource.name.startsWith("x")')).toEqual({ expiresAt: null, timeBound: false });
  });

  it('matches deny principals and v2 permission names, honouring exceptions and conditions', () => {
    expect(principalMatches('principalSet://goog/public:all', 'user:a@x.com')).toBe(true);
    expect(principalMatches('principal://goog/subject/a@x.com', 'user:a@x.com')).toBe(true);
    expect(principalMatches('principal://goog/subject/a@x.com', 'user:b@x.com')).toBe(false);
    expect(principalMatches('principalSet://goog/group/g@x.com', 'group:g@x.com')).toBe(true);
    expect(principalMatches('principal://iam.googleapis.com/projects/-/serviceAccounts/s@p.iam.gserviceaccount.com', 'serviceAccount:s@p.iam.gserviceaccount.com')).toBe(true);
    expect(v1PermissionPattern('cloudresourcemanager.googleapis.com/projects.delete').test('resourcemanager.projects.delete')).toBe(true);
    expect(v1PermissionPattern('storage.googleapis.com/buckets.*').test('storage.buckets.delete')).toBe(true);
    expect(v1PermissionPattern('storage.googleapis.com/buckets.*').test('storage.objects.delete')).toBe(false);
    const rule = { policy: 'p', deniedPrincipals: ['principalSet://goog/public:all'], exceptionPrincipals: ['principal://goog/subject/boss@x.com'],
      deniedPermissions: ['storage.googleapis.com/*'], exceptionPermissions: ['storage.googleapis.com/objects.get'], conditional: false };
    expect(applyDeny('user:a@x.com', ['storage.objects.get', 'storage.objects.delete', 'compute.instances.get'], [rule]))
      .toEqual({ denied: ['storage.objects.delete'], remaining: ['storage.objects.get', 'compute.instances.get'], policies: ['p'], conditional: [] });
    expect(applyDeny('user:boss@x.com', ['storage.objects.delete'], [rule]).denied).toEqual([]);
    expect(applyDeny('user:a@x.com', ['storage.objects.delete'], [{ ...rule, conditional: true }])).toMatchObject({ denied: [], conditional: ['storage.objects.delete'] });
  });

  it('treats 9999-12-31 as a key that never expires', () => {
    expect(keyExpiry('9999-12-31T23:59:59Z')).toBeNull();
    expect(keyExpiry('2031-05-01T00:00:00Z')?.toISOString()).toBe('2031-05-01T00:00:00.000Z');
    expect(keyExpiry(undefined)).toBeNull();
  });
});

describe('Google-managed service agents are provider-managed', () => {
  it('marks service agents, not default or user-managed service accounts', async () => {
    const { memberIdentity } = await import('../../../src/connectors/gcp/map.js');
    const pm = (m: string) => memberIdentity(m).provider_managed ?? false;
    expect(pm('serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com')).toBe(true);
    expect(pm('serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com')).toBe(true);
    expect(pm('serviceAccount:123456789012@cloudservices.gserviceaccount.com')).toBe(true);
    expect(pm('serviceAccount:service-org-987654321@gcp-sa-logging.iam.gserviceaccount.com')).toBe(true);
    // Near misses: default and user-managed accounts are the customer's.
    expect(pm('serviceAccount:123456789012-compute@developer.gserviceaccount.com')).toBe(false);
    expect(pm('serviceAccount:123456789012@cloudbuild.gserviceaccount.com')).toBe(false);
    expect(pm('serviceAccount:deployer@acme-web.iam.gserviceaccount.com')).toBe(false);
    expect(pm('serviceAccount:service-deployer@acme-web.iam.gserviceaccount.com')).toBe(false);
  });
});
