// The state an Okta simulator serves: one org's users, API tokens and OIDC apps (service apps with their scope
// grants, client secrets, JWKS and admin roles; a browser app and a SAML app that are not service apps).
// Secret values exist here only so the simulator can answer as Okta does; the connector must never keep them.
export interface SimUser {
  id: string; login: string; email: string; firstName: string; lastName: string;
  status: 'ACTIVE' | 'DEPROVISIONED' | 'SUSPENDED' | 'STAGED' | 'PROVISIONED' | 'LOCKED_OUT' | 'PASSWORD_EXPIRED' | 'RECOVERY';
  created: string; lastLogin: string | null;
}

export interface SimApiToken {
  id: string; name: string; userId: string; clientName: string; created: string; lastUpdated: string; expiresAt: string;
  tokenWindow: string; network: { connection: 'ANYWHERE' | 'ZONE'; include?: string[]; exclude?: string[] };
}

export interface SimGrant {
  id: string; scopeId: string; issuer: string; created: string; lastUpdated: string; createdBy: { id: string; type: 'User' };
  source: 'ADMIN' | 'END_USER'; status: 'ACTIVE' | 'REVOKED';
}

export interface SimSecret { id: string; created: string; lastUpdated: string; status: 'ACTIVE' | 'INACTIVE'; secretHash: string; value: string }

export interface SimJwk { id: string; kid: string; status: 'ACTIVE' | 'INACTIVE'; created: string; lastUpdated: string; n: string; e: string }

export interface SimRole {
  id: string; type: string; label: string; status: 'ACTIVE' | 'INACTIVE'; created: string; lastUpdated: string;
  /** Custom roles: the role and resource set ids. */
  role?: string; resourceSet?: string;
}

export interface SimApp {
  id: string; label: string; status: 'ACTIVE' | 'INACTIVE'; created: string; lastUpdated: string;
  signOnMode: 'OPENID_CONNECT' | 'SAML_2_0';
  clientId: string;
  applicationType: 'service' | 'web' | 'browser' | 'native';
  grantTypes: string[];
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  grants: SimGrant[]; secrets: SimSecret[]; jwks: SimJwk[]; roles: SimRole[];
}

export interface OktaEstate {
  /** The org's host name (acme.okta.com): the issuer of its org authorization server. */
  domain: string;
  users: SimUser[];
  apiTokens: SimApiToken[];
  apps: SimApp[];
}

const DAY = 86_400_000;

/** A small org dated relative to `now`: every Okta fact the connector maps appears once. */
export function seedEstate(now = new Date(), domain = 'acme.okta.com'): OktaEstate {
  const ago = (d: number) => new Date(now.getTime() - d * DAY).toISOString();
  const ahead = (d: number) => new Date(now.getTime() + d * DAY).toISOString();
  const issuer = `https://${domain}`;
  const grant = (id: string, scopeId: string, by: string, created: string): SimGrant =>
    ({ id, scopeId, issuer, created, lastUpdated: created, createdBy: { id: by, type: 'User' }, source: 'ADMIN', status: 'ACTIVE' });
  const secret = (id: string, created: string, status: SimSecret['status'] = 'ACTIVE'): SimSecret =>
    ({ id, created, lastUpdated: created, status, secretHash: `hash-${id}`, value: `simulated-client-secret-${id}-0000000000` });
  return {
    domain,
    users: [
      { id: '00u1alice', login: 'alice@acme.example', email: 'alice@acme.example', firstName: 'Alice', lastName: 'Adams', status: 'ACTIVE', created: ago(900), lastLogin: ago(1) },
      { id: '00u2dave', login: 'dave@acme.example', email: 'dave@acme.example', firstName: 'Dave', lastName: 'Dodd', status: 'ACTIVE', created: ago(1200), lastLogin: ago(50) },
      { id: '00u3carol', login: 'carol@acme.example', email: 'carol@acme.example', firstName: 'Carol', lastName: 'Chen', status: 'ACTIVE', created: ago(600), lastLogin: ago(3) },
    ],
    apiTokens: [
      { id: '00Tabc1', name: 'terraform', userId: '00u1alice', clientName: 'Okta API', created: ago(200), lastUpdated: ago(2), expiresAt: ahead(28), tokenWindow: 'P30D',
        network: { connection: 'ZONE', include: ['nzo1ci'] } },
      // A departed admin's token that works from anywhere.
      { id: '00Tabc2', name: 'dave-scripts', userId: '00u2dave', clientName: 'Okta API', created: ago(400), lastUpdated: ago(40), expiresAt: ahead(20), tokenWindow: 'P30D',
        network: { connection: 'ANYWHERE' } },
      // Owner deleted from Okta: the token record still names the id.
      { id: '00Tabc3', name: 'legacy-sync', userId: '00u9gone', clientName: 'Okta API', created: ago(700), lastUpdated: ago(100), expiresAt: ahead(5), tokenWindow: 'P30D',
        network: { connection: 'ANYWHERE' } },
    ],
    apps: [
      { id: '0oa1crm', label: 'CRM Sync (vendor)', status: 'ACTIVE', created: ago(500), lastUpdated: ago(30), signOnMode: 'OPENID_CONNECT', clientId: '0oa1crm',
        applicationType: 'service', grantTypes: ['client_credentials'], authMethod: 'client_secret_basic',
        grants: [grant('oag1', 'okta.users.manage', '00u1alice', ago(500)), grant('oag2', 'okta.groups.read', '00u1alice', ago(500))],
        secrets: [secret('ocs1old', ago(800)), secret('ocs2new', ago(20)), secret('ocs3off', ago(900), 'INACTIVE')], jwks: [], roles: [] },
      { id: '0oa2ops', label: 'ops-automation', status: 'ACTIVE', created: ago(300), lastUpdated: ago(10), signOnMode: 'OPENID_CONNECT', clientId: '0oa2ops',
        applicationType: 'service', grantTypes: ['client_credentials'], authMethod: 'private_key_jwt',
        grants: [grant('oag3', 'okta.apps.read', '00u3carol', ago(300)), grant('oag4', 'okta.logs.read', '00u3carol', ago(300))],
        secrets: [], jwks: [{ id: 'pks1', kid: 'ops-key-2025', status: 'ACTIVE', created: ago(300), lastUpdated: ago(300), n: 'u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw', e: 'AQAB' }],
        roles: [{ id: 'irb1ops', type: 'ORG_ADMIN', label: 'Organization Administrator', status: 'ACTIVE', created: ago(300), lastUpdated: ago(300) },
          { id: 'irb2ops', type: 'CUSTOM', label: 'App reviewer', status: 'ACTIVE', created: ago(100), lastUpdated: ago(100), role: 'cr0app', resourceSet: 'iam0apps' }] },
      { id: '0oa3old', label: 'old-reporting', status: 'INACTIVE', created: ago(1000), lastUpdated: ago(200), signOnMode: 'OPENID_CONNECT', clientId: '0oa3old',
        applicationType: 'service', grantTypes: ['client_credentials'], authMethod: 'client_secret_basic',
        grants: [grant('oag5', 'okta.reports.read', '00u2dave', ago(1000))], secrets: [secret('ocs4rep', ago(1000))], jwks: [],
        roles: [{ id: 'irb3old', type: 'READ_ONLY_ADMIN', label: 'Read-only Administrator', status: 'ACTIVE', created: ago(1000), lastUpdated: ago(1000) }] },
      // Not service apps: a browser SPA and a SAML app are never collected as integrations here.
      { id: '0oa4spa', label: 'Portal SPA', status: 'ACTIVE', created: ago(100), lastUpdated: ago(100), signOnMode: 'OPENID_CONNECT', clientId: '0oa4spa',
        applicationType: 'browser', grantTypes: ['authorization_code'], authMethod: 'none', grants: [], secrets: [], jwks: [], roles: [] },
      { id: '0oa5saml', label: 'Wiki (SAML)', status: 'ACTIVE', created: ago(100), lastUpdated: ago(100), signOnMode: 'SAML_2_0', clientId: '0oa5saml',
        applicationType: 'web', grantTypes: [], authMethod: 'none', grants: [], secrets: [], jwks: [], roles: [] },
    ],
  };
}
