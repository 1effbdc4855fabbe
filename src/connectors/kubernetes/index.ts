// The kubernetes connector: service accounts, RBAC roles and bindings, legacy service-account token Secrets
// (metadata only) and workload-identity links to cloud identities, for each kubeconfig context. See readme.md and
// docs/connectors/kubernetes.md.
import type { z } from 'zod';
import type { Connector } from '../types.js';
import { KubernetesOptions } from './options.js';
import { contextsOf, loadKubeConfig } from './client.js';
import { collectTenant } from './collect.js';
import { remediation } from './remediate.js';

export const connector: Connector<KubernetesOptions> = {
  id: 'kubernetes',
  provider: 'kubernetes',
  description: 'Kubernetes (one tenant per kubeconfig context): service accounts, RBAC roles and bindings with levels from their rules, legacy service-account token Secrets (metadata only), workload-identity links to AWS, GCP and Azure identities.',
  collects: {
    identities: ['service_account', 'user', 'group', 'public'],
    credentials: ['sa_token'],
    entitlements: true,
  },
  options: KubernetesOptions as unknown as z.ZodType<KubernetesOptions>,
  async validate(ctx) {
    // The kubeconfig and the contexts named must exist before anything is collected.
    loadKubeConfig(ctx);
    contextsOf(ctx);
  },
  tenants: async (ctx) => contextsOf(ctx),
  collect: (ctx, tenant, sink) => collectTenant(ctx, tenant, sink),
  remediation,
};
