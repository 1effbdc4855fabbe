import { describe, expect, it } from 'vitest';
import { mapAccessPolicy, mapRole } from '../../../src/connectors/azure/roles.js';
import { BUILT_IN_ROLES, ROLE } from '../../../src/sim/azure/estate.js';

const builtIn = (guid: string) => mapRole(BUILT_IN_ROLES.find((r) => r.name === guid)!.permissions);

describe('azure role mapping (by permissions, never by name)', () => {
  it('maps the built-in roles', () => {
    expect(builtIn(ROLE.owner)).toMatchObject({ level: 'owner', privileged: true });
    expect(builtIn(ROLE.userAccessAdministrator)).toMatchObject({ level: 'admin', privileged: true });
    // Contributor cannot manage access, but can list storage keys and read app settings: privileged write.
    expect(builtIn(ROLE.contributor)).toMatchObject({ level: 'write', privileged: true });
    expect(builtIn(ROLE.reader)).toMatchObject({ level: 'read', privileged: false });
    // Reading secret values is privileged although it is "read".
    expect(builtIn(ROLE.keyVaultSecretsUser)).toMatchObject({ level: 'read', privileged: true });
    expect(builtIn(ROLE.keyVaultAdministrator)).toMatchObject({ level: 'write', privileged: true });
  });

  it('maps custom roles by their actions, honouring notActions', () => {
    expect(mapRole([{ actions: ['*/write', '*/read'] }])).toMatchObject({ level: 'owner', privileged: true });
    expect(mapRole([{ actions: ['Microsoft.Authorization/*'] }])).toMatchObject({ level: 'admin', privileged: true });
    expect(mapRole([{ actions: ['Microsoft.Authorization/roleAssignments/write'] }])).toMatchObject({ level: 'admin', privileged: true });
    expect(mapRole([{ actions: ['*'], notActions: ['Microsoft.Authorization/*'] }])).toMatchObject({ level: 'write', privileged: true });
    expect(mapRole([{ actions: ['Microsoft.Compute/virtualMachines/*'] }])).toMatchObject({ level: 'write', privileged: false });
    expect(mapRole([{ actions: ['Microsoft.Storage/storageAccounts/listKeys/action'] }])).toMatchObject({ level: 'write', privileged: true });
    expect(mapRole([{ actions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/*'] }])).toMatchObject({ privileged: true });
    expect(mapRole([{ actions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/*'], notDataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action'] }])).toMatchObject({ privileged: false });
    expect(mapRole([{ actions: ['microsoft.authorization/ROLEASSIGNMENTS/WRITE'] }]).level).toBe('admin'); // case-insensitive
    expect(mapRole([])).toMatchObject({ level: 'none', privileged: false });
  });

  it('maps Key Vault access policies: secret get is privileged read, set/delete are write', () => {
    expect(mapAccessPolicy({ secrets: ['Get', 'List'] })).toMatchObject({ level: 'read', privileged: true, permission: 'accessPolicy/secrets:get,list' });
    expect(mapAccessPolicy({ secrets: ['list'] })).toMatchObject({ level: 'read', privileged: false });
    expect(mapAccessPolicy({ keys: ['get', 'unwrapKey'] })).toMatchObject({ level: 'write', privileged: true });
    expect(mapAccessPolicy({ secrets: ['set', 'delete'], certificates: ['get'] })).toMatchObject({ level: 'write', privileged: false, permission: 'accessPolicy/secrets:delete,set;certificates:get' });
    expect(mapAccessPolicy({})).toMatchObject({ level: 'none', permission: 'accessPolicy/none' });
  });
});
