// Faults of a GitLab source end complete (the shared layer retried) or explicitly partial, never short and complete:
// 429 with Retry-After or RateLimit-Reset alone, 5xx, offset pages named by Link or by x-next-page only, keyset pages,
// a broken page, and a 403 on one group (whose findings must not be resolved).
import { describe, expect, it } from 'vitest';
import { collectRun } from '../../helpers/index.js';
import { FaultPlan } from '../../../src/sim/http.js';
import { generateEstate, type GitLabEstate } from '../../../src/sim/gitlab/estate.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { refs, setup, truth } from './helpers.js';

/** An estate whose top group has 230 members: three pages of 100. */
function crowded(): GitLabEstate {
  const e = generateEstate({ projects: 4, seed: 21 });
  for (let i = 0; i < 230; i++) {
    e.users.push({ id: 10_000 + i, username: `member-${i}`, name: `Member ${i}`, state: 'active' });
    e.groups[0]!.members.push({ user_id: 10_000 + i, access_level: 20, created_at: '2025-01-01T00:00:00Z', expires_at: null });
  }
  return e;
}

describe('gitlab faults and pagination', () => {
  it('retries 429 (Retry-After, and RateLimit-Reset alone) and 5xx, and ends complete and equal to the truth', async () => {
    const estate = generateEstate({ projects: 6, seed: 4 });
    const faults = new FaultPlan()
      .add({ match: '/members', kind: 'throttle', retryAfter: 0, times: 3 })
      .add({ match: '/deploy_keys', kind: 'throttle', times: 1 })
      .add({ match: '/projects?', kind: 'status', status: 502, times: 2 })
      .add({ match: '/variables', kind: 'status', status: 500, times: 1 });
    const t = await setup({ estate, sim: { faults } });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(faults.injected).toBe(7);
    expect(outcomes[0]).toMatchObject({ status: 'complete', error: null });
    expect(await refs(t.store, 'credentials', runId)).toEqual([...truth(estate).credentials].sort());
    expect(await refs(t.store, 'entitlements', runId)).toEqual([...truth(estate).entitlements].sort());
  });

  it('a rate limit whose reset is further away than allowed stops the tenant as partial, naming the wait', async () => {
    const faults = new FaultPlan().add({ match: '/access_tokens', kind: 'throttle', retryAfter: 3600, times: Infinity });
    const t = await setup({ sim: { faults } });
    const { outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/rate budget exhausted during access tokens of .*wait 3600 s/);
  });

  it('a server error that persists marks the tenant partial, naming the project', async () => {
    const estate = generateEstate({ projects: 4, seed: 8 });
    const faults = new FaultPlan().add({ match: '/projects/acme%2Fproj-000/deploy_keys', kind: 'status', status: 503, times: Infinity });
    const t = await setup({ estate, sim: { faults } });
    const { outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/deploy keys of project acme\/proj-000: GET \S+ → 503/);
  });

  it('reads every member across offset pages by Link, by x-next-page alone, and across keyset pages', async () => {
    for (const sim of [{}, { dropLink: /members/ }, { pagination: 'keyset' as const }]) {
      const estate = crowded();
      const t = await setup({ estate, sim });
      const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
      expect(outcomes[0], JSON.stringify(sim)).toMatchObject({ status: 'complete' });
      expect(t.sim.stats.byRoute['GET /api/v4/groups/{id}/members/all']).toBe(3);
      expect(await refs(t.store, 'entitlements', runId)).toEqual([...truth(estate).entitlements].sort());
    }
  });

  it('an empty page that still names a next page is partial, not short', async () => {
    const faults = new FaultPlan().add({ match: /members\/all\?.*page=2/, kind: 'empty', times: Infinity });
    const t = await setup({ estate: crowded(), sim: { faults } });
    const { outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(faults.injected).toBeGreaterThan(0);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/members of group acme: all members of acme: page 2 is empty but names a next page/);
  });

  it('a 403 on one group marks the tenant partial with that group named, and resolves none of its findings', async () => {
    const estate = generateEstate({ projects: 6, seed: 12 });
    const t = await setup({ estate });
    const first = await collectStage(t.store, t.loaded, { log: silentLogger, env: t.env, fullCollection: true });
    expect(first.outcomes[0]!.status).toBe('complete');
    const r1 = await reconcileStage(t.store, t.loaded, first.run.run_id);
    expect(r1.summary.findings).toBeGreaterThan(0);

    t.sim.faults.add({ match: /\/(groups|projects)\/acme%2Fplatform%2Finfra/, kind: 'status', status: 403, times: Infinity });
    const second = await collectStage(t.store, t.loaded, { log: silentLogger, env: t.env, fullCollection: true });
    expect(second.outcomes[0]!.status).toBe('partial');
    expect(second.outcomes[0]!.error).toMatch(/of group acme\/platform\/infra: GET \S+ → 403/);
    const r2 = await reconcileStage(t.store, t.loaded, second.run.run_id);
    expect(r2.summary.byStatus.resolved ?? 0).toBe(0);
  });
});
