import { describe, expect, it } from 'vitest';
import { isOwnApp, globToRegExp, parseRef, ref, roleLevel, scopeLevel } from '../../../src/connectors/okta/map.js';

describe('okta mapping: levels of scopes and admin roles', () => {
  it('scopeLevel: .read is read, .manage is write or admin on who-can-do-what resources, per-user scopes are not tenant-wide', () => {
    const j = (s: string) => { const x = scopeLevel(s); return [x.level, x.privileged, x.tenant_wide]; };
    expect(j('okta.users.read')).toEqual(['read', false, true]);
    expect(j('okta.users.manage')).toEqual(['admin', true, true]);
    expect(j('okta.apps.manage')).toEqual(['admin', true, true]);
    expect(j('okta.roles.manage')).toEqual(['admin', true, true]);
    expect(j('okta.policies.manage')).toEqual(['admin', true, true]);
    expect(j('okta.apiTokens.manage')).toEqual(['admin', true, true]);
    expect(j('okta.logs.read')).toEqual(['read', false, true]);
    expect(j('okta.brands.manage')).toEqual(['write', false, true]);
    expect(j('okta.eventHooks.manage')).toEqual(['write', false, true]);
    expect(j('okta.users.read.self')).toEqual(['read', false, false]);
    expect(j('okta.users.manage.self')).toEqual(['write', false, false]);
    expect(j('okta.myAccount.email.manage')).toEqual(['write', false, false]);
    expect(j('openid')).toEqual(['read', false, false]);
    expect(j('offline_access')).toEqual(['read', false, false]);
    expect(j('invoices:write')).toEqual(['write', false, false]);
  });

  it('roleLevel: super admin owns, org/app/user admins administer, read-only admins read, custom roles count as admin', () => {
    expect(roleLevel('SUPER_ADMIN')).toEqual({ level: 'owner', privileged: true });
    expect(roleLevel('ORG_ADMIN')).toEqual({ level: 'admin', privileged: true });
    expect(roleLevel('APP_ADMIN')).toEqual({ level: 'admin', privileged: true });
    expect(roleLevel('HELP_DESK_ADMIN')).toEqual({ level: 'write', privileged: true });
    expect(roleLevel('GROUP_MEMBERSHIP_ADMIN')).toEqual({ level: 'write', privileged: true });
    expect(roleLevel('READ_ONLY_ADMIN')).toEqual({ level: 'read', privileged: false });
    expect(roleLevel('REPORT_ADMIN')).toEqual({ level: 'read', privileged: false });
    expect(roleLevel('CUSTOM')).toEqual({ level: 'admin', privileged: true });
  });

  it('own apps are those an own_apps glob matches by id, client id or label; refs parse back', () => {
    const own = ['ops-*', '0oaSELF'].map(globToRegExp);
    expect(isOwnApp({ id: '0oa1', label: 'ops-automation' }, own)).toBe(true);
    expect(isOwnApp({ id: '0oa2', label: 'x', credentials: { oauthClient: { client_id: '0oaSELF' } } }, own)).toBe(true);
    expect(isOwnApp({ id: '0oa3', label: 'CRM' }, own)).toBe(false);
    expect(parseRef(ref.apiToken('acme.okta.com', '00T1'))).toEqual({ type: 'api_token', tenant: 'acme.okta.com', id: '00T1' });
    expect(parseRef(ref.secret('acme.okta.com', '0oa1', 'ocs1'))).toEqual({ type: 'secret', tenant: 'acme.okta.com', appId: '0oa1', id: 'ocs1' });
    expect(parseRef(ref.app('acme.okta.com', '0oa1'))).toEqual({ type: 'app', tenant: 'acme.okta.com', appId: '0oa1' });
    expect(parseRef(ref.grant('acme.okta.com', '0oa1', 'oag1'))).toBeNull();
  });
});
