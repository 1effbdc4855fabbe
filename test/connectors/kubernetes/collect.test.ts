import { describe, expect, it } from 'vitest';
import { attrs, collectK8s, kubeconfig, rows, startSim } from './harness.js';
import { AZURE_CLIENT_ID, AZURE_TENANT_ID, GKE_SERVICE_ACCOUNT, IRSA_ROLE_ARN, seedEstate, tokenValue } from '../../../src/sim/kubernetes/seed.js';
import { emptyEstate, builder, sa } from '../../../src/sim/kubernetes/estate.js';
import { saRef as gcpSaRef } from '../../../src/connectors/gcp/map.js';

const P = (s: string) => `k8s:prod/${s}`;
const iso = (v: unknown) => (v as Date | null)?.toISOString() ?? null;

describe('kubernetes connector: collection through @kubernetes/client-node', () => {
  it('collects the seeded cluster equal to its truth, paging every list', async () => {
    const now = new Date();
    const estate = seedEstate(now);
    const sim = await startSim(estate);
    const { store, runId, outcomes } = await collectK8s(kubeconfig({ prod: sim }));
    expect(outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual([['prod', 'complete', null]]);
    const ids = (await rows(store, 'identities', runId)).map((r) => `${r.kind} ${r.ref} ${r.provider_managed ? 'managed' : ''}`.trim());
    expect(ids).toEqual([
      `service_account ${P('ci/deployer')}`, `service_account ${P('ci/runner')}`, `service_account ${P('default/binder')}`,
      `service_account ${P('default/config-writer')}`, `service_account ${P('default/impersonator')}`,
      `group ${P('group:platform-admins')}`, `group ${P('group:system:authenticated')} managed`, `group ${P('group:system:masters')} managed`,
      `public ${P('group:system:unauthenticated')} managed`, `service_account ${P('kube-system/namespace-controller')} managed`,
      `service_account ${P('monitoring/prometheus')}`, `service_account ${P('payments/api')}`, `service_account ${P('payments/worker')}`,
      `user ${P('user:alice@acme.example')}`,
    ]);
    const ents = (await rows(store, 'entitlements', runId)).map((r) => `${r.ref} ${r.resource_ref} ${r.permission} ${r.level} ${r.privileged}`);
    expect(ents).toEqual([
      `${P('ci/runner')}|workload-identity|azure.workload.identity/client-id azure:${AZURE_TENANT_ID}/app/${AZURE_CLIENT_ID} azure.workload.identity/client-id admin true`,
      `${P('clusterrolebinding/alice-view')}|${P('user:alice@acme.example')} k8s:prod clusterrole/view read false`,
      `${P('clusterrolebinding/ci-deployer-admin')}|${P('ci/deployer')} k8s:prod clusterrole/cluster-admin owner true`,
      `${P('clusterrolebinding/cluster-admin')}|${P('group:system:masters')} k8s:prod clusterrole/cluster-admin owner true`,
      `${P('clusterrolebinding/impersonator')}|${P('default/impersonator')} k8s:prod clusterrole/impersonator admin true`,
      `${P('clusterrolebinding/prometheus')}|${P('monitoring/prometheus')} k8s:prod clusterrole/metrics-reader read false`,
      `${P('clusterrolebinding/system:controller:namespace-controller')}|${P('kube-system/namespace-controller')} k8s:prod clusterrole/system:controller:namespace-controller admin true`,
      `${P('clusterrolebinding/system:public-info-viewer')}|${P('group:system:authenticated')} k8s:prod clusterrole/system:public-info-viewer read false`,
      `${P('clusterrolebinding/system:public-info-viewer')}|${P('group:system:unauthenticated')} k8s:prod clusterrole/system:public-info-viewer read false`,
      `${P('monitoring/prometheus')}|workload-identity|iam.gke.io/gcp-service-account ${gcpSaRef(GKE_SERVICE_ACCOUNT)} iam.gke.io/gcp-service-account admin true`,
      `${P('payments/api')}|workload-identity|eks.amazonaws.com/role-arn ${IRSA_ROLE_ARN} eks.amazonaws.com/role-arn admin true`,
      `${P('rolebinding/ci/runner-exec')}|${P('ci/runner')} k8s:prod/ns:ci clusterrole/pod-exec admin true`,
      `${P('rolebinding/default/binder')}|${P('default/binder')} k8s:prod/ns:default clusterrole/role-binder admin true`,
      // A User subject named system:serviceaccount:<ns>:<name> is that service account.
      `${P('rolebinding/default/config-writer')}|${P('default/binder')} k8s:prod/ns:default role/config-writer write false`,
      `${P('rolebinding/default/config-writer')}|${P('default/config-writer')} k8s:prod/ns:default role/config-writer write false`,
      `${P('rolebinding/default/secret-creator')}|${P('default/config-writer')} k8s:prod/ns:default role/secret-creator write false`,
      `${P('rolebinding/payments/api-secrets')}|${P('payments/api')} k8s:prod/ns:payments role/secret-reader admin true`,
      `${P('rolebinding/payments/platform-admins')}|${P('group:platform-admins')} k8s:prod/ns:payments clusterrole/admin admin true`,
      `${P('rolebinding/payments/worker-pods')}|${P('payments/worker')} k8s:prod/ns:payments role/pod-reader read false`,
    ]);
    // The dangling binding (its role does not exist) grants nothing and names nobody.
    expect(await rows(store, 'identities', runId, "ref LIKE '%mallory%'")).toEqual([]);
    const creds = (await rows(store, 'credentials', runId)).map((r) => `${r.kind} ${r.ref} ${r.identity_ref} ${r.status} ${r.expires_at === null} ${r.expiry_supported} ${r.last_used_known}`);
    expect(creds).toEqual([
      `sa_token ${P('ci/secret/deployer-token')} ${P('ci/deployer')} active true true false`,
      `sa_token ${P('payments/secret/api-token')} ${P('payments/api')} active true true true`,
      // Issued to an earlier account of the same name: its uid no longer matches, it authenticates nothing.
      `sa_token ${P('payments/secret/api-token-old')} ${P('payments/api')} inactive true true false`,
      `sa_token ${P('payments/secret/api-token-retired')} ${P('payments/api')} inactive true true false`,
    ]);
    const deployerToken = (await rows(store, 'credentials', runId, "ref LIKE '%deployer-token'"))[0]!;
    expect(iso(deployerToken.created_at)).toBe(new Date(estate.secrets.find((s) => s.metadata.name === 'deployer-token')!.metadata.creationTimestamp).toISOString());
    const apiToken = (await rows(store, 'credentials', runId, "ref LIKE '%/api-token'"))[0]!;
    expect(iso(apiToken.last_used_at)).toBe(`${new Date(now.getTime() - 3 * 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`);
    expect(attrs((await rows(store, 'credentials', runId, "ref LIKE '%api-token-retired'"))[0]!).invalid_since).toBeTruthy();
    const deployer = (await rows(store, 'identities', runId, `ref = '${P('ci/deployer')}'`))[0]!;
    expect(deployer).toMatchObject({ name: 'ci/deployer', login: 'system:serviceaccount:ci:deployer', human: false, owner: 'alice', owner_source: 'tag', last_used_known: false });
    expect(attrs(deployer)).toMatchObject({ namespace: 'ci', legacy_token_count: 1, listed: true, automount: null, image_pull_secret_count: 0 });
  });

  it('records each workload-identity link as a mint edge joining the cloud connector’s ref', async () => {
    const sim = await startSim();
    const { store, runId } = await collectK8s(kubeconfig({ prod: sim }));
    const edges = await store.all<{ identity_ref: string; mint: string }>(`SELECT identity_ref, attributes->'$.mint' AS mint FROM entitlements WHERE run_id = $1 AND json_exists(attributes, '$.mint') ORDER BY identity_ref`, [runId]);
    expect(edges.map((e) => [e.identity_ref, JSON.parse(e.mint)])).toEqual([
      [P('ci/runner'), { mechanism: 'service_account_link', issuer: null, subject: 'system:serviceaccount:ci:runner', audience: 'api://AzureADTokenExchange', breadth: 'pinned', missing: [],
        target_provider: 'azure', target_ref: `azure:${AZURE_TENANT_ID}/app/${AZURE_CLIENT_ID}`, conditions: { 'azure.workload.identity/client-id': AZURE_CLIENT_ID, 'azure.workload.identity/tenant-id': AZURE_TENANT_ID } }],
      [P('monitoring/prometheus'), { mechanism: 'service_account_link', issuer: null, subject: 'system:serviceaccount:monitoring:prometheus', audience: null, breadth: 'pinned', missing: [],
        target_provider: 'gcp', target_ref: 'projects/acme-ops/serviceAccounts/metrics@acme-ops.iam.gserviceaccount.com', conditions: { 'iam.gke.io/gcp-service-account': GKE_SERVICE_ACCOUNT } }],
      [P('payments/api'), { mechanism: 'service_account_link', issuer: null, subject: 'system:serviceaccount:payments:api', audience: 'sts.amazonaws.com', breadth: 'pinned', missing: [],
        target_provider: 'aws', target_ref: IRSA_ROLE_ARN, conditions: { 'eks.amazonaws.com/role-arn': IRSA_ROLE_ARN } }],
    ]);
  });

  it('never lets a Secret value cross the wire: metadata-only requests, a type field selector, and no data in any answer', async () => {
    const sim = await startSim();
    await collectK8s(kubeconfig({ prod: sim }));
    const secretCalls = sim.log.map((l, i) => [l, sim.accepts[i]!] as const).filter(([l]) => l.includes('/secrets'));
    expect(secretCalls.length).toBe(2); // 4 token Secrets, pages of 3
    for (const [line, accept] of secretCalls) {
      expect(line).toContain('fieldSelector=type%3Dkubernetes.io%2Fservice-account-token');
      expect(accept).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    }
    expect(sim.secretDataResponses).toBe(0);
    const wire = sim.bodies.join('\n');
    for (const v of ['deployer', 'api', 'api-old', 'api-retired']) {
      expect(wire).not.toContain(tokenValue(v));
      expect(wire).not.toContain(Buffer.from(tokenValue(v)).toString('base64'));
    }
    expect(wire).not.toContain('"data"');
    // Opaque and bootstrap Secrets are not even named.
    expect(wire).not.toContain('db-password');
    expect(wire).not.toContain('bootstrap-token-abcdef');
  });

  it('refuses a Secret list the server answered in full, unread, and ends the cluster partial', async () => {
    // A server that ignores the metadata-only request (an old or broken proxy): the data would be in the answer.
    const sim = await startSim();
    const origEmit = sim.server.emit.bind(sim.server);
    sim.server.emit = ((ev: string, req: import('node:http').IncomingMessage, ...rest: unknown[]) => {
      if (ev === 'request' && req.url?.includes('/secrets')) req.headers.accept = 'application/json';
      return origEmit(ev, req, ...rest);
    }) as typeof sim.server.emit;
    const { store, runId, outcomes } = await collectK8s(kubeconfig({ prod: sim }));
    expect(outcomes[0]).toMatchObject({ status: 'partial' });
    expect(outcomes[0]!.error).toMatch(/legacy token secrets: GET .*\/api\/v1\/secrets\?… answered "application\/json" instead of metadata only; the body was discarded unread/);
    expect(await rows(store, 'credentials', runId)).toEqual([]);
    expect((await rows(store, 'entitlements', runId)).length).toBeGreaterThan(10);
  });

  it('collects each kubeconfig context as its own tenant; the current context alone by default', async () => {
    const prod = await startSim();
    const staging = emptyEstate();
    const b = builder(staging);
    b.sa('apps', 'web', '2026-01-01T00:00:00Z');
    b.clusterRole('view', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], '2026-01-01T00:00:00Z');
    b.roleBinding('apps', 'web-view', { kind: 'ClusterRole', name: 'view' }, [sa('apps', 'web')], '2026-01-01T00:00:00Z');
    const stage = await startSim(staging);
    const file = kubeconfig({ prod, staging: stage });
    const current = await collectK8s(file);
    expect(current.outcomes.map((o) => [o.tenant, o.status])).toEqual([['prod', 'complete']]);
    const all = await collectK8s(file, {}, { all_contexts: true });
    expect(all.outcomes.map((o) => [o.tenant, o.status])).toEqual([['prod', 'complete'], ['staging', 'complete']]);
    expect((await rows(all.store, 'entitlements', all.runId, "tenant = 'staging'")).map((r) => `${r.ref} ${r.resource_ref} ${r.level}`))
      .toEqual(['k8s:staging/rolebinding/apps/web-view|k8s:staging/apps/web k8s:staging/ns:apps read']);
    const listed = await collectK8s(file, { tenants: ['staging'] });
    expect(listed.outcomes.map((o) => o.tenant)).toEqual(['staging']);
  });
});
