// GitHub App installations as integrations (issue #16): IntegrationFacts on the installation identity, ScopeFacts on
// each permission, first- or third-party from the App's owner, and suspend-app-installation with read-back and rollback.
import { describe, expect, it } from 'vitest';
import { collectRun } from '../../helpers/index.js';
import { generateEstate, type SimEstate } from '../../../src/sim/github/estate.js';
import { FaultPlan } from '../../../src/sim/http.js';
import { buildContext } from '../../../src/pipeline/collect.js';
import { connector } from '../../../src/connectors/github/index.js';
import type { ConnectorContext, Target } from '../../../src/connectors/types.js';
import type { GitHubOptions } from '../../../src/connectors/github/options.js';
import { silentLogger } from '../../../src/log.js';
import { setup } from './helpers.js';

const remediation = connector.remediation!;

function estateWithApps(): SimEstate {
  const estate = generateEstate({ repos: 3, seed: 4 });
  const org = estate.orgs[0]!;
  const base = org.installations[0]!;
  org.installations.push(
    { ...base, id: 8201, app_id: 501, app_slug: 'ci-insights', repository_selection: 'all', permissions: { contents: 'read', pull_requests: 'write', metadata: 'read' } },
    { ...base, id: 8202, app_id: 502, app_slug: 'label-sync', repository_selection: 'selected', permissions: { issues: 'write', members: 'read' } },
    { ...base, id: 8203, app_id: 503, app_slug: 'in-house-private', repository_selection: 'selected', permissions: { contents: 'read' } },
  );
  estate.apps = { ...estate.apps, 'ci-insights': { id: 501, owner: 'vendorco', owner_type: 'Organization', name: 'CI Insights' },
    'label-sync': { id: 502, owner: 'someone', owner_type: 'User', name: 'Label Sync' } };
  return estate;
}

async function integrations(t: Awaited<ReturnType<typeof setup>>, runId: string) {
  const ids = await t.store.all<{ ref: string; app_id: string; third_party: boolean; publisher: string | null; kind: string; disabled: boolean } & Record<string, unknown>>(
    `SELECT ref, attributes->>'$.integration.app_id' AS app_id, CAST(attributes->>'$.integration.third_party' AS BOOLEAN) AS third_party,
       attributes->>'$.integration.publisher' AS publisher, attributes->>'$.integration.kind' AS kind, disabled
     FROM identities WHERE run_id = $1 AND json_exists(attributes, '$.integration') ORDER BY ref`, [runId]);
  const scopes = await t.store.all<{ ref: string; permission: string; level: string; tenant_wide: boolean; consent: string } & Record<string, unknown>>(
    `SELECT ref, permission, level, CAST(attributes->>'$.scope.tenant_wide' AS BOOLEAN) AS tenant_wide, attributes->>'$.scope.consent' AS consent
     FROM entitlements WHERE run_id = $1 AND json_exists(attributes, '$.scope') ORDER BY ref`, [runId]);
  return { ids, scopes };
}

describe('github connector: App installations as integrations', () => {
  it('marks each installation with its App slug, publisher and first- or third-party, and each permission as a scope', async () => {
    const t = await setup({ estate: estateWithApps(), options: { skip: ['fine_grained_pats'] } });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]).toMatchObject({ status: 'complete' });
    const { ids, scopes } = await integrations(t, runId);
    const byApp = Object.fromEntries(ids.map((i) => [i.app_id, i]));
    expect(byApp['ci-app']).toMatchObject({ third_party: false, publisher: 'acme', kind: 'app_installation' });
    expect(byApp['ci-insights']).toMatchObject({ third_party: true, publisher: 'vendorco' });
    expect(byApp['label-sync']).toMatchObject({ third_party: true, publisher: 'someone' });
    // A private App (404 to anyone but its owner) can only be installed by its owner: the organisation's own.
    expect(byApp['in-house-private']).toMatchObject({ third_party: false, publisher: null });
    const s = Object.fromEntries(scopes.map((x) => [x.ref.replace('github:acme/app_installation/', ''), x]));
    expect(s['8201/permission/pull_requests']).toMatchObject({ permission: 'pull_requests:write', level: 'write', tenant_wide: true, consent: 'installation' });
    expect(s['8202/permission/issues']).toMatchObject({ level: 'write', tenant_wide: false });
    // An organisation-level permission reaches the whole organisation even with selected repositories.
    expect(s['8202/permission/members']).toMatchObject({ level: 'read', tenant_wide: true });
    expect(t.sim.stats.byRoute['GET /apps/{app_slug}']).toBe(4);
  });

  it('a failing App lookup leaves the tenant explicitly partial, with no installation written as first-party by mistake', async () => {
    const faults = new FaultPlan().add({ match: '/apps/ci-insights', kind: 'status', status: 500, times: Infinity });
    const t = await setup({ estate: estateWithApps(), sim: { faults }, options: { skip: ['fine_grained_pats'] } });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(faults.injected).toBeGreaterThan(0);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/App installations/);
    const { ids } = await integrations(t, runId);
    expect(ids.map((i) => i.app_id)).not.toContain('ci-insights');
  });
});

async function context(app: boolean, estate = estateWithApps()) {
  const t = await setup({ estate, app });
  const ctx = buildContext(t.loaded.config.sources[0]!, t.loaded.sourceOptions.get('gh') as GitHubOptions, {
    runId: 'r1', log: silentLogger, now: new Date(), env: t.env, signal: new AbortController().signal, cache: null,
  }) as ConnectorContext<GitHubOptions>;
  return { ...t, ctx, org: estate.orgs[0]! };
}

const target = (id: number): Target => ({ provider: 'github', tenant: 'acme', source: 'gh', subject: 'identity', ref: `github:acme/app_installation/${id}`, kind: 'app',
  identity_ref: null, resource_ref: null, permission: null, attributes: null });

describe('github connector: suspend-app-installation', () => {
  it('suspends the App\'s own installation with its JWT, verifies by read-back, and rollback unsuspends', async () => {
    const estate = estateWithApps();
    const { ctx, org } = await context(true, estate);
    // The configured App (4242) is installed on acme as installation 9000: list it among the organisation's installations.
    org.installations.push({ ...org.installations[0]!, id: 9000, app_id: 4242, app_slug: 'nhi-recon' });
    const tg = target(9000);
    const before = await remediation.read(ctx, tg);
    expect(before).toMatchObject({ exists: true, active: true, state: { app_id: 4242, suspended_at: null } });
    const res = await remediation.execute(ctx, 'suspend-app-installation', tg, before);
    expect(res).toMatchObject({ status: 204 });
    expect(org.installations.find((i) => i.id === 9000)!.suspended_at).not.toBeNull();
    const v = await remediation.verify(ctx, 'suspend-app-installation', tg);
    expect(v.ok).toBe(true);
    expect(v.evidence).toMatchObject({ exists: true, active: false, suspended_at: expect.any(String) });
    const rb = await remediation.rollback!(ctx, 'suspend-app-installation', tg, before);
    expect(rb).toMatchObject({ status: 204, unsuspended: true });
    expect((await remediation.read(ctx, tg)).active).toBe(true);
  });

  it('refuses another App\'s installation, before any call, saying what to do instead', async () => {
    const { ctx, sim } = await context(true);
    const tg = target(8201);
    const before = await remediation.read(ctx, tg);
    sim.resetStats();
    await expect(remediation.execute(ctx, 'suspend-app-installation', tg, before)).rejects.toThrow(/refused: App installation 8201 belongs to App 501 \(ci-insights\), not to the configured App 4242.*Settings → GitHub Apps/);
    expect(sim.stats.byRoute['PUT /app/installations/{installation_id}/suspended']).toBeUndefined();
  });

  it('refuses with token authentication', async () => {
    const { ctx } = await context(false);
    const tg = target(8201);
    const before = await remediation.read(ctx, tg);
    await expect(remediation.execute(ctx, 'suspend-app-installation', tg, before)).rejects.toThrow(/refused: .*needs the JWT of the App that owns it; this source authenticates with a token/);
  });

  it('does not apply to other refs', async () => {
    const { ctx } = await context(false);
    const tg = { ...target(8201), ref: 'github:acme/repo-0001/deploy_key/1' };
    await expect(remediation.execute(ctx, 'suspend-app-installation', tg, { exists: true, active: true, last_used_at: null, state: {} })).rejects.toThrow(/does not apply/);
  });
});
