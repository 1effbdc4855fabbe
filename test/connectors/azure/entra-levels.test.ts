// The Entra permission → level table (src/connectors/azure/entra-levels.ts).
import { describe, expect, it } from 'vitest';
import { directoryRoleLevel, permissionLevel } from '../../../src/connectors/azure/entra-levels.js';

describe('Entra permission levels', () => {
  it.each([
    ['full_access_as_app', 'admin', true],
    ['Directory.ReadWrite.All', 'admin', true],
    ['RoleManagement.ReadWrite.Directory', 'admin', true],
    ['AppRoleAssignment.ReadWrite.All', 'admin', true],
    ['Application.ReadWrite.All', 'admin', true],
    ['Sites.FullControl.All', 'admin', true],
    // Only the apps it created: not every app's credentials.
    ['Application.ReadWrite.OwnedBy', 'write', false],
    ['Mail.ReadWrite', 'write', false],
    ['Files.ReadWrite.All', 'write', false],
    ['Mail.Send', 'write', false],
    ['Directory.AccessAsUser.All', 'write', false],
    ['Mail.Read', 'read', false],
    ['Mail.ReadBasic.All', 'read', false],
    ['User.Read.All', 'read', false],
    ['Directory.Read.All', 'read', false],
    ['offline_access', 'read', false],
    ['openid', 'read', false],
    // Not in the table: judged write, never under-rated.
    ['Contoso.Custom', 'write', false],
  ] as const)('%s → %s', (permission, level, privileged) => {
    expect(permissionLevel(permission)).toMatchObject({ level, privileged });
  });

  it('directory roles by published template id, else by name', () => {
    expect(directoryRoleLevel('62e90394-69f5-4237-9190-012177145e10', 'Global Administrator')).toMatchObject({ level: 'owner', privileged: true });
    expect(directoryRoleLevel('9B895D92-2CD3-44C7-9D02-A6AC2D5EA5C3', 'Application Administrator')).toMatchObject({ level: 'admin', privileged: true });
    expect(directoryRoleLevel('88d8e3e3-8f55-4a1e-953a-9b9898b8876b', 'Directory Readers')).toMatchObject({ level: 'read', privileged: false });
    expect(directoryRoleLevel('00000000-0000-4000-8000-000000000001', 'Teams Reader')).toMatchObject({ level: 'read' });
    expect(directoryRoleLevel('00000000-0000-4000-8000-000000000002', 'Fabric Administrator')).toMatchObject({ level: 'admin', privileged: true });
    expect(directoryRoleLevel('00000000-0000-4000-8000-000000000003', 'Message Center Privacy Thing')).toMatchObject({ level: 'write' });
  });
});
