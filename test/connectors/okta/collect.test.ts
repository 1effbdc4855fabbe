import { describe, expect, it } from 'vitest';
import { attrs, collectOkta, rows, startSim } from './harness.js';
import { seedEstate } from '../../../src/sim/okta/estate.js';

const iso = (v: unknown) => (v as Date | null)?.toISOString() ?? null;
const O = 'okta:acme.okta.com';

describe('okta connector: collection through the Okta SDK', () => {
  it('collects the seeded org, equal to its truth', async () => {
    const now = new Date();
    const estate = seedEstate(now);
    const sim = await startSim(estate);
    const { store, runId, outcomes } = await collectOkta(sim);
    expect(outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual([['acme.okta.com', 'complete', null]]);
    const ids = (await rows(store, 'identities', runId)).map((r) => `${r.kind} ${r.ref} ${r.name} ${r.disabled}`);
    expect(ids).toEqual([
      `app ${O}/apps/0oa1crm CRM Sync (vendor) false`,
      `app ${O}/apps/0oa2ops ops-automation false`,
      `app ${O}/apps/0oa3old old-reporting true`,
      `user ${O}/users/00u1alice alice@acme.example false`,
      `user ${O}/users/00u2dave dave@acme.example false`,
      `user ${O}/users/00u3carol carol@acme.example false`,
      `user ${O}/users/00u9gone 00u9gone true`,
    ]);
    const creds = (await rows(store, 'credentials', runId)).map((r) => `${r.kind} ${r.ref} ${r.status} ${r.identity_ref}`);
    expect(creds).toEqual([
      `api_token ${O}/api-tokens/00Tabc1 active ${O}/users/00u1alice`,
      `api_token ${O}/api-tokens/00Tabc2 active ${O}/users/00u2dave`,
      `api_token ${O}/api-tokens/00Tabc3 active ${O}/users/00u9gone`,
      `client_secret ${O}/apps/0oa1crm/secrets/ocs1old active ${O}/apps/0oa1crm`,
      `client_secret ${O}/apps/0oa1crm/secrets/ocs2new active ${O}/apps/0oa1crm`,
      `client_secret ${O}/apps/0oa1crm/secrets/ocs3off inactive ${O}/apps/0oa1crm`,
      `app_key ${O}/apps/0oa2ops/jwks/pks1 active ${O}/apps/0oa2ops`,
      `client_secret ${O}/apps/0oa3old/secrets/ocs4rep active ${O}/apps/0oa3old`,
    ]);
    const ents = (await rows(store, 'entitlements', runId)).map((r) => `${r.ref} ${r.permission} ${r.resource_ref} ${r.level} ${r.privileged}`);
    expect(ents).toEqual([
      `${O}/apps/0oa1crm/grants/oag1 okta.users.manage ${O} admin true`,
      `${O}/apps/0oa1crm/grants/oag2 okta.groups.read ${O} read false`,
      `${O}/apps/0oa2ops/grants/oag3 okta.apps.read ${O} read false`,
      `${O}/apps/0oa2ops/grants/oag4 okta.logs.read ${O} read false`,
      `${O}/apps/0oa2ops/roles/irb1ops ORG_ADMIN ${O} admin true`,
      `${O}/apps/0oa2ops/roles/irb2ops CUSTOM:cr0app ${O}/resource-sets/iam0apps admin true`,
      `${O}/apps/0oa3old/grants/oag5 okta.reports.read ${O} read false`,
      `${O}/apps/0oa3old/roles/irb3old READ_ONLY_ADMIN ${O} read false`,
    ]);
    // Apps were paged (page size 2, five apps): three pages, each followed through Link rel="next".
    expect(sim.log.filter((l) => l.startsWith('GET /api/v1/apps?') || l === 'GET /api/v1/apps').length).toBe(3);
    // Non-service apps (a SPA, a SAML app) are never looked into.
    expect(sim.log.some((l) => /\/apps\/(0oa4spa|0oa5saml)/.test(l))).toBe(false);
  });

  it('maps API tokens: owner, expiry, network restriction, unknown last use', async () => {
    const now = new Date();
    const estate = seedEstate(now);
    const sim = await startSim(estate);
    const { store, runId } = await collectOkta(sim);
    const tok = async (id: string) => (await rows(store, 'credentials', runId, `ref = '${O}/api-tokens/${id}'`))[0]!;
    const dave = await tok('00Tabc2');
    expect(dave).toMatchObject({ name: 'dave-scripts', created_by: 'dave@acme.example', owner: 'dave@acme.example', last_used_at: null, last_used_known: false, expiry_supported: true });
    expect(iso(dave.expires_at)).toBe(estate.apiTokens[1]!.expiresAt);
    expect(iso(dave.created_at)).toBe(estate.apiTokens[1]!.created);
    expect(attrs(dave)).toMatchObject({ network_anywhere: true, network: { connection: 'ANYWHERE', include: [], exclude: [] }, idle_window: 'P30D', client_name: 'Okta API', user_id: '00u2dave' });
    const alice = await tok('00Tabc1');
    expect(attrs(alice)).toMatchObject({ network_anywhere: false, network: { connection: 'ZONE', include: ['nzo1ci'] } });
    // The owner was deleted from Okta: no login to name, the holder kept as a disabled, deleted user.
    const gone = await tok('00Tabc3');
    expect(gone).toMatchObject({ created_by: null, identity_ref: `${O}/users/00u9gone` });
    const deleted = (await rows(store, 'identities', runId, `ref = '${O}/users/00u9gone'`))[0]!;
    expect(deleted).toMatchObject({ disabled: true, last_used_known: false });
    expect(attrs(deleted)).toMatchObject({ deleted: true });
    const daveUser = (await rows(store, 'identities', runId, `ref = '${O}/users/00u2dave'`))[0]!;
    expect(daveUser).toMatchObject({ login: 'dave@acme.example', human: true, last_used_known: true });
    expect(iso(daveUser.last_used_at)).toBe(estate.users[1]!.lastLogin);
  });

  it('records service apps as integrations (IntegrationFacts) and their grants as scopes (ScopeFacts)', async () => {
    const sim = await startSim();
    const { store, runId } = await collectOkta(sim);
    const app = async (id: string) => (await rows(store, 'identities', runId, `ref = '${O}/apps/${id}'`))[0]!;
    const crm = await app('0oa1crm');
    expect(crm).toMatchObject({ kind: 'app', human: false, last_used_known: false });
    expect(attrs(crm).integration).toEqual({ app_id: '0oa1crm', kind: 'service_app', publisher: null, verified_publisher: null, third_party: true, multi_tenant: null, consented_by: 'alice@acme.example' });
    expect(attrs(crm)).toMatchObject({ third_party_basis: 'not listed in own_apps', grant_types: ['client_credentials'], client_auth_method: 'client_secret_basic' });
    const ops = await app('0oa2ops');
    expect(attrs(ops).integration).toMatchObject({ third_party: false, consented_by: 'carol@acme.example' });
    expect(attrs(ops).third_party_basis).toBe('own_apps option');
    const scope = (await rows(store, 'entitlements', runId, `ref = '${O}/apps/0oa1crm/grants/oag1'`))[0]!;
    expect(attrs(scope)).toMatchObject({ scope: { tenant_wide: true, consent: 'admin', consented_by: 'alice@acme.example' }, issuer: 'https://acme.okta.com', grant_id: 'oag1' });
    // The reconciler's views see them without knowing Okta.
    const { setupSql } = await import('../../../src/reconcile/setup.js');
    const thresholds = { stale_days: 90, grace_days: 30, max_credential_age_days: 365, max_credential_lifetime_days: 365 };
    for (const sql of setupSql(runId, runId, new Date(), thresholds, {})) await store.run(sql);
    expect(await store.all("SELECT app_id, integration_kind, third_party FROM cur_integrations ORDER BY app_id")).toEqual([
      { app_id: '0oa1crm', integration_kind: 'service_app', third_party: true },
      { app_id: '0oa2ops', integration_kind: 'service_app', third_party: false },
      { app_id: '0oa3old', integration_kind: 'service_app', third_party: true },
    ]);
    expect(await store.all("SELECT permission, level, tenant_wide, consent FROM cur_integration_scopes WHERE permission = 'okta.users.manage'")).toEqual([
      { permission: 'okta.users.manage', level: 'admin', tenant_wide: true, consent: 'admin' },
    ]);
  });

  it('keeps client-secret metadata and never a secret value', async () => {
    const estate = seedEstate();
    const sim = await startSim(estate);
    const { store, runId } = await collectOkta(sim);
    const old = (await rows(store, 'credentials', runId, `ref = '${O}/apps/0oa1crm/secrets/ocs1old'`))[0]!;
    expect(old).toMatchObject({ kind: 'client_secret', expiry_supported: false, expires_at: null, last_used_known: false, fingerprint: 'hash-ocs1old' });
    expect(iso(old.created_at)).toBe(estate.apps[0]!.secrets[0]!.created);
    const key = (await rows(store, 'credentials', runId, "kind = 'app_key'"))[0]!;
    expect(key).toMatchObject({ fingerprint: 'ops-key-2025', expiry_supported: false });
    expect(attrs(key)).toMatchObject({ kid: 'ops-key-2025', kty: 'RSA', alg: 'RS256', use: 'sig' });
    // Not in any column of any table of the run: every secret value Okta listed was dropped.
    const values = estate.apps.flatMap((a) => a.secrets.map((s) => s.value));
    for (const table of ['identities', 'credentials', 'entitlements']) {
      const all = JSON.stringify(await store.all(`SELECT * FROM ${table}`), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      for (const v of values) expect(all.includes(v), `${table} holds a secret value`).toBe(false);
    }
  });
});
