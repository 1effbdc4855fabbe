// The Kubernetes part of `nhi-recon demo`: the seeded cluster (context acme-prod) behind the simulator, a kubeconfig in
// a private temporary folder pointing the real client at it, and authoritative records written so that each expected
// finding has one cause: a CI service account with cluster-admin and a legacy token nobody approved.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoParts } from '../demo-types.js';
import { IRSA_ROLE_ARN, seedEstate, writeKubeconfig } from './seed.js';
import { startK8sSim } from './server.js';

export const DEMO_CONTEXT = 'acme-prod';

export async function startDemo(): Promise<DemoParts> {
  const now = new Date();
  const day = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();
  const token = `demo-k8s-${randomBytes(12).toString('hex')}`;
  const sim = await startK8sSim(seedEstate(now), { token, latencyMs: 2 });
  // The kubeconfig holds the bearer token: written 0600 in a folder of its own, removed when the demo ends.
  const dir = mkdtempSync(join(tmpdir(), 'nhi-k8s-demo-'));
  const file = writeKubeconfig(dir, [{ name: DEMO_CONTEXT, server: sim.url, ca: sim.ca, token }]);
  const ref = (s: string) => `k8s:${DEMO_CONTEXT}/${s}`;
  const grant = (g: Record<string, unknown>) => ({
    provider: 'kubernetes', tenant: DEMO_CONTEXT, owner: 'alice', approver: 'security-lead', granted_at: day(-365), expires_at: day(180), justification: 'demo', ...g,
  });
  return {
    sources: [{ name: 'k8s-demo', type: 'kubernetes', tenants: [DEMO_CONTEXT], retries: 3, timeout_seconds: 10, options: { kubeconfig: file } }],
    env: {},
    authority: {
      grants: [
        // The payments API may read its namespace's Secrets and assume the AWS runtime role (IRSA).
        grant({ id: 'K8S-1', identity: ref('payments/api'), resource: ref('ns:payments'), permission: 'role/secret-reader', max_level: 'admin', ticket: 'SEC-201' }),
        grant({ id: 'K8S-2', identity: ref('payments/api'), resource: IRSA_ROLE_ARN, permission: 'eks.amazonaws.com/role-arn', max_level: 'admin', ticket: 'SEC-202' }),
        // The worker reads pods (the near miss: no Secret access, so nothing privileged).
        grant({ id: 'K8S-3', identity: ref('payments/worker'), resource: ref('ns:payments'), permission: 'role/pod-reader', max_level: 'read', ticket: 'SEC-203' }),
        grant({ id: 'K8S-4', identity: ref('monitoring/prometheus'), resource: '*', permission: '*', max_level: 'admin', ticket: 'SEC-204' }),
        grant({ id: 'K8S-5', identity: ref('user:alice@acme.example'), resource: `k8s:${DEMO_CONTEXT}`, permission: 'clusterrole/view', max_level: 'read', ticket: 'SEC-205' }),
        // ci/deployer was approved to deploy into ci, not to own the cluster: cluster-admin is over-privileged.
        grant({ id: 'K8S-6', identity: ref('ci/deployer'), resource: `k8s:${DEMO_CONTEXT}`, permission: 'clusterrole/cluster-admin', max_level: 'write', ticket: 'SEC-206' }),
        // Nothing approves the runner's pod exec, the impersonator, the binder or the platform admins: ungranted.
      ],
      owners: [
        { provider: 'kubernetes', tenant: DEMO_CONTEXT, identity: ref('payments/api'), owner: 'bob' },
        { provider: 'kubernetes', tenant: DEMO_CONTEXT, identity: ref('payments/worker'), owner: 'bob' },
        // ci/deployer's owner comes from its `owner` label (alice); the runner has none: orphaned.
      ],
      people: [
        { id: 'alice', name: 'Alice Adams', email: 'alice@acme.example', status: 'active', team: 'platform', logins: { kubernetes: ['alice@acme.example'] } },
        { id: 'bob', name: 'Bob Brown', email: 'bob@acme.example', status: 'active', team: 'payments' },
      ],
    },
    expect: [
      'over-privileged', // ci/deployer holds cluster-admin (owner), approved for write
      'non-expiring-credential', // ci/deployer-token: a legacy service-account token never expires
      'unrotated-credential', // the same token is 700 days old
      'ungranted-access', // ci/runner execs into pods, default/impersonator impersonates, nobody approved it
      'orphaned-identity', // ci/runner has no owner
    ],
    close: async () => { await sim.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
