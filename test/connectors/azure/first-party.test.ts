// Issue 14: Microsoft first-party service principals are provider-managed (created and scoped by Microsoft).
import { describe, expect, it } from 'vitest';
import { spIdentity, type DirectorySnapshot } from '../../../src/connectors/azure/collect.js';

const snap = { sps: new Map(), apps: [], appsByAppId: new Map(), spSignIns: null, credSignIns: null, partial: [] } as unknown as DirectorySnapshot;
const sp = (owner: string | null) => ({ id: 'sp-1', appId: 'app-1', displayName: 'x', servicePrincipalType: 'Application', appOwnerOrganizationId: owner }) as never;

describe('azure first-party service principals', () => {
  it('a service principal of an app Microsoft owns is provider-managed; one of this or another tenant is not', () => {
    expect(spIdentity('tenant-a', sp('f8cdef31-a31e-4b4a-93e4-5f571e91255a'), snap).provider_managed).toBe(true);
    expect(spIdentity('tenant-a', sp('tenant-a'), snap).provider_managed).toBe(false);
    expect(spIdentity('tenant-a', sp('0f0e0d0c-0000-4000-8000-000000000001'), snap).provider_managed).toBe(false);
    expect(spIdentity('tenant-a', sp(null), snap).provider_managed).toBe(false);
  });
});
