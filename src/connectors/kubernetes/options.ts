// The kubernetes source's `options` block. Credentials come only from the kubeconfig (token, client certificate, exec
// plugin) named here or by $KUBECONFIG: nothing secret goes in the config.
import { z } from 'zod';

export const KubernetesOptions = z.strictObject({
  kubeconfig: z.string().min(1).optional().describe('Path of the kubeconfig file (absolute, or relative to the working directory). Default: the first file in $KUBECONFIG, else ~/.kube/config.'),
  all_contexts: z.boolean().default(false).describe('With no `tenants`, collect every context of the kubeconfig (each a tenant). Default: only its current context.'),
  legacy_tokens: z.boolean().default(true).describe('Collect legacy service-account token Secrets (metadata only: the token value is never requested).'),
  azure_tenant_id: z.string().min(1).optional().describe('Entra tenant id of workload-identity links whose service account carries no azure.workload.identity/tenant-id annotation.'),
  page_size: z.number().int().min(1).max(5000).default(500).describe('`limit` of each list request.'),
  max_pages: z.number().int().min(1).default(1000).describe('A listing still paging after this many pages is treated as broken: the tenant ends partial.'),
  max_list_restarts: z.number().int().min(0).max(10).default(2).describe('A listing whose continue token expired (410 Gone) restarts from its first page this many times before the tenant ends partial.'),
});
export type KubernetesOptions = z.infer<typeof KubernetesOptions>;
