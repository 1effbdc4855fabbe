import { describe, expect, it } from 'vitest';
import { integrationIdentity, isServiceAccountClientId, scopeLevel, shortScope, tokenCredential, type ClientSeen } from '../../../src/connectors/workspace/map.js';

const A = 'https://www.googleapis.com/auth/';

describe('workspace mapping: OAuth scopes to levels', () => {
  it.each([
    ['https://mail.google.com/', 'admin', true, 'mail.google.com'],
    [`${A}cloud-platform`, 'admin', true, 'cloud-platform'],
    [`${A}cloud-platform.read-only`, 'read', false, 'cloud-platform.read-only'],
    [`${A}admin.directory.user`, 'admin', true, 'admin.directory.user'],
    [`${A}admin.directory.user.security`, 'admin', true, 'admin.directory.user.security'],
    [`${A}admin.directory.group.readonly`, 'read', false, 'admin.directory.group.readonly'],
    [`${A}admin.reports.audit.readonly`, 'read', false, 'admin.reports.audit.readonly'],
    [`${A}gmail.settings.sharing`, 'admin', true, 'gmail.settings.sharing'],
    [`${A}gmail.readonly`, 'read', true, 'gmail.readonly'],
    [`${A}gmail.metadata`, 'read', false, 'gmail.metadata'],
    [`${A}gmail.modify`, 'write', true, 'gmail.modify'],
    [`${A}gmail.send`, 'write', false, 'gmail.send'],
    [`${A}drive`, 'write', false, 'drive'],
    [`${A}drive.readonly`, 'read', false, 'drive.readonly'],
    [`${A}drive.file`, 'write', false, 'drive.file'],
    [`${A}drive.metadata.readonly`, 'read', false, 'drive.metadata.readonly'],
    [`${A}calendar.events.readonly`, 'read', false, 'calendar.events.readonly'],
    [`${A}devstorage.full_control`, 'admin', true, 'devstorage.full_control'],
    ['openid', 'read', false, 'openid'],
    [`${A}userinfo.email`, 'read', false, 'userinfo.email'],
    ['https://www.google.com/m8/feeds', 'write', false, 'https://www.google.com/m8/feeds'],
  ])('%s is %s (privileged %s)', (scope, level, privileged, short) => {
    expect(scopeLevel(scope)).toEqual({ level, privileged, short });
    expect(shortScope(scope)).toBe(short);
  });

  it('tells service-account client ids (numeric unique ids) from app client ids', () => {
    expect(isServiceAccountClientId('120000000000000000001')).toBe(true);
    expect(isServiceAccountClientId('1111-notes.apps.googleusercontent.com')).toBe(false);
  });
});

describe('workspace mapping: integrations and tokens', () => {
  const seen = (extra: Partial<ClientSeen> = {}): ClientSeen => ({
    clientId: '9-x.apps.googleusercontent.com', names: new Set(['X App']), holders: ['a@acme.example'], activeHolders: 1,
    anonymous: false, nativeApp: false, delegation: null, ...extra,
  });

  it('one holder consented; several, or a delegation grant, name nobody', () => {
    expect(integrationIdentity('C1', seen(), []).attributes).toMatchObject({ integration: { consented_by: 'a@acme.example', third_party: true, verified_publisher: null, kind: 'oauth_client', app_id: '9-x.apps.googleusercontent.com', publisher: 'X App' } });
    expect(integrationIdentity('C1', seen({ holders: ['a@acme.example', 'b@acme.example'] }), []).attributes).toMatchObject({ integration: { consented_by: null } });
    const g = { clientId: '9-x.apps.googleusercontent.com', scopes: ['openid'], name: null, serviceAccount: null, file: 'f.yaml', line: 2 };
    expect(integrationIdentity('C1', seen({ delegation: g }), []).attributes).toMatchObject({ integration: { consented_by: null }, domain_wide_delegation: true, delegation_source: 'f.yaml:2' });
  });

  it('first_party_client_ids globs make a client the organisation\'s own', () => {
    expect(integrationIdentity('C1', seen(), ['9-*']).attributes).toMatchObject({ integration: { third_party: false } });
    expect(integrationIdentity('C1', seen(), ['8-*']).attributes).toMatchObject({ integration: { third_party: true } });
  });

  it('links a delegated numeric client id to its service account, by the export\'s email', () => {
    const g = { clientId: '120000000000000000001', scopes: ['openid'], name: 'etl', serviceAccount: 'etl@acme-data.iam.gserviceaccount.com', file: 'f', line: 3 };
    const id = integrationIdentity('C1', seen({ clientId: g.clientId, names: new Set(), holders: [], activeHolders: 0, delegation: g }), []);
    expect(id).toMatchObject({ name: 'etl', kind: 'app', human: false, last_used_known: false });
    expect(id.attributes).toMatchObject({ service_account: { unique_id: g.clientId, email: g.serviceAccount, ref: 'projects/acme-data/serviceAccounts/etl@acme-data.iam.gserviceaccount.com' } });
  });

  it('a suspended user\'s token is inactive; tokens never carry an expiry or a fingerprint', () => {
    const user = { id: '1', email: 'f@acme.example', suspended: true, archived: false, isAdmin: false, orgUnitPath: '/' };
    const c = tokenCredential('C1', user, { clientId: 'c', displayText: 'App', scopes: ['openid'], anonymous: false, nativeApp: false });
    expect(c).toMatchObject({ kind: 'oauth_token', status: 'inactive', expiry_supported: false, fingerprint: null, created_by: 'f@acme.example',
      identity_ref: 'workspace:C1/clients/c', name: 'App token for f@acme.example', ref: 'workspace:C1/users/f@acme.example/tokens/c' });
  });
});
