import { describe, expect, it } from 'vitest';
import { attrs, collectWs, estateWithKey, rows, startSim } from './harness.js';
import { scopeLevel } from '../../../src/connectors/workspace/map.js';
import { CLIENTS, CONNECTOR_SA, CUSTOMER_ID } from '../../../src/sim/workspace/seed.js';
import type { Estate } from '../../../src/sim/workspace/estate.js';

const C = (id: string) => `workspace:${CUSTOMER_ID}/clients/${id}`;

/** What the connector must produce, derived from the seeded estate (the truth), not from the connector. */
function truth(estate: Estate) {
  const identities = new Set<string>();
  const credentials: string[] = [];
  const entitlements: string[] = [];
  for (const u of estate.users) {
    const active = !u.suspended && !u.archived;
    for (const t of u.tokens) {
      identities.add(C(t.clientId));
      credentials.push(`workspace:${CUSTOMER_ID}/users/${u.primaryEmail}/tokens/${t.clientId} ${active ? 'active' : 'inactive'} ${C(t.clientId)} ${u.primaryEmail}`);
      if (active) for (const s of t.scopes) entitlements.push(`${C(t.clientId)}|${s}|user:${u.primaryEmail} ${scopeLevel(s).level} user false workspace:${CUSTOMER_ID}/users/${u.primaryEmail}`);
    }
  }
  for (const d of estate.delegations) {
    identities.add(C(d.clientId));
    for (const s of d.scopes) entitlements.push(`${C(d.clientId)}|${s}|domain ${scopeLevel(s).level} admin true workspace:${CUSTOMER_ID}`);
  }
  return { identities: [...identities].sort(), credentials: credentials.sort(), entitlements: entitlements.sort() };
}

async function collected(store: Awaited<ReturnType<typeof collectWs>>['store'], runId: string) {
  return {
    identities: (await rows(store, 'identities', runId)).map((r) => r.ref as string).sort(),
    credentials: (await rows(store, 'credentials', runId)).map((r) => `${r.ref} ${r.status} ${r.identity_ref} ${r.created_by}`).sort(),
    entitlements: (await rows(store, 'entitlements', runId)).map((r) => { const a = attrs(r).scope; return `${r.ref} ${r.level} ${a.consent} ${a.tenant_wide} ${r.resource_ref}`; }).sort(),
  };
}

describe('workspace connector: collection through the real client (domain-wide delegation) against the simulator', () => {
  it('collects the seeded customer equal to its truth, authenticating as the admin with a signed assertion', async () => {
    const estate = estateWithKey();
    const h = await startSim(estate);
    const { store, runId, outcomes } = await collectWs(h);
    expect(outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual([[CUSTOMER_ID, 'complete', null]]);
    expect(await collected(store, runId)).toEqual(truth(estate));
    // The token the API calls used was issued for the admin, with exactly the two read scopes.
    expect([...h.sim.issued.values()]).toContainEqual({ subject: 'admin@acme.example', scopes: [
      'https://www.googleapis.com/auth/admin.directory.user.readonly', 'https://www.googleapis.com/auth/admin.directory.user.security'] });
    // Users are paged (page size 3 → 3 pages), then one tokens.list per user.
    expect(h.sim.calls.filter((c) => c.route === 'directory.users.list')).toHaveLength(1 + 3); // discovery + 3 pages
    expect(h.sim.calls.filter((c) => c.route === 'directory.tokens.list')).toHaveLength(estate.users.length);
    const [run] = await store.all('SELECT api_calls FROM source_runs WHERE run_id = $1', [runId]);
    expect(Number(run!.api_calls)).toBe(1 + 3 + estate.users.length); // one token exchange + 3 pages + tokens
  });

  it('records integration facts: publisher, third party, consenter, native/anonymous, delegation and its service account', async () => {
    const h = await startSim();
    const { store, runId } = await collectWs(h);
    const id = async (client: string) => (await rows(store, 'identities', runId, `ref = '${C(client)}'`))[0]!;
    const mail = await id(CLIENTS.mailmerge);
    expect(mail).toMatchObject({ kind: 'app', name: 'MailMerge Pro', human: false, last_used_known: false });
    expect(attrs(mail)).toMatchObject({ integration: { app_id: CLIENTS.mailmerge, kind: 'oauth_client', publisher: 'MailMerge Pro', verified_publisher: null, third_party: true, consented_by: null }, users: 2 });
    expect(attrs(await id(CLIENTS.sketchy))).toMatchObject({ integration: { consented_by: 'dave@acme.example' }, users: 1 });
    expect(attrs(await id(CLIENTS.intranet))).toMatchObject({ integration: { third_party: false } });
    expect(attrs(await id(CLIENTS.thunderbird))).toMatchObject({ anonymous: true, native_app: true, users: 1, active_users: 0 });
    const etl = attrs(await id(CLIENTS.etl));
    expect(etl).toMatchObject({ domain_wide_delegation: true, users: 0,
      service_account: { unique_id: CLIENTS.etl, email: 'etl@acme-data.iam.gserviceaccount.com', ref: 'projects/acme-data/serviceAccounts/etl@acme-data.iam.gserviceaccount.com' } });
    expect(etl.delegation_source).toMatch(/dwd\.yaml:7$/);
    expect(attrs(await id(CONNECTOR_SA.clientId))).toMatchObject({ domain_wide_delegation: true });
    // Full mail reached through one user's consent is admin and privileged; delegated mail reading is tenant-wide.
    const full = (await rows(store, 'entitlements', runId, `permission = 'https://mail.google.com/' AND identity_ref = '${C(CLIENTS.mailmerge)}'`));
    expect(full.map((r) => [r.level, r.privileged, attrs(r).scope])).toEqual([
      ['admin', true, { tenant_wide: false, consent: 'user', consented_by: 'bob@acme.example' }],
      ['admin', true, { tenant_wide: false, consent: 'user', consented_by: 'carol@acme.example' }],
    ]);
    const dwd = (await rows(store, 'entitlements', runId, `identity_ref = '${C(CLIENTS.etl)}' AND permission LIKE '%gmail.readonly'`))[0]!;
    expect(dwd).toMatchObject({ level: 'read', privileged: true, resource_ref: `workspace:${CUSTOMER_ID}`, path: 'domain-wide delegation' });
    expect(attrs(dwd)).toMatchObject({ scope: { tenant_wide: true, consent: 'admin', consented_by: null }, scope_short: 'gmail.readonly' });
  });

  it('reads integrations through the model views the rules use', async () => {
    const h = await startSim();
    const { store, runId } = await collectWs(h);
    const { setupSql } = await import('../../../src/reconcile/setup.js');
    const thresholds = { stale_days: 90, grace_days: 14, max_credential_age_days: 90, max_credential_lifetime_days: 365 };
    for (const sql of setupSql(runId, runId, new Date(), thresholds, {})) await store.run(sql);
    const ints = await store.all('SELECT app_id, third_party, consented_by FROM cur_integrations ORDER BY app_id');
    expect(ints.find((r) => r.app_id === CLIENTS.sketchy)).toEqual({ app_id: CLIENTS.sketchy, third_party: true, consented_by: 'dave@acme.example' });
    const scopes = await store.all("SELECT count(*) AS n FROM cur_integration_scopes WHERE tenant_wide AND consent = 'admin'");
    expect(Number(scopes[0]!.n)).toBe(4);
  });

  it('discovers nothing when tenants are listed, and collects only without tokens when asked', async () => {
    const h = await startSim();
    const { outcomes, store, runId } = await collectWs(h, { tenants: [CUSTOMER_ID] }, { tokens: false });
    expect(outcomes.map((o) => [o.tenant, o.status])).toEqual([[CUSTOMER_ID, 'complete']]);
    expect(h.sim.calls.filter((c) => c.route === 'directory.tokens.list')).toHaveLength(0);
    expect((await rows(store, 'credentials', runId)).length).toBe(0);
    // Delegation grants still come from the export.
    expect((await rows(store, 'identities', runId)).map((r) => r.ref)).toEqual([C(CLIENTS.etl), C(CONNECTOR_SA.clientId)]);
  });

  it('authenticates with an access token from the environment instead of a key', async () => {
    const h = await startSim(estateWithKey(), { token: 'ya29.static-test-token' });
    const { outcomes } = await collectWs({ ...h, env: { WS_TOKEN: 'ya29.static-test-token' } }, {}, { key_file_env: undefined, subject: undefined, access_token_env: 'WS_TOKEN' });
    expect(outcomes.map((o) => o.status)).toEqual(['complete']);
    expect(h.sim.log).not.toContain('POST /token');
  });
});
