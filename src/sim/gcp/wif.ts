// IAM v1 workload identity pools and providers, as the simulator serves them: the list methods the connector calls
// (paged by pageToken/nextPageToken, soft-deleted entries only with showDeleted=true), with names built from the project
// number as the real API returns them. IAM_ROUTES names the published methods these routes implement, checked against
// Google's discovery document by test/sim/gcp/contract.test.ts (fixture from scripts/extract-gcp-iam-schemas.ts).
import { findProject, type Estate, type SimPool, type SimProvider } from './estate.js';

export interface IamRoute { id: string; method: string; path: string; response: string }

/** Published IAM v1 methods the simulator serves and the contract test checks (path as the discovery document writes it). */
export const IAM_ROUTES: IamRoute[] = [
  { id: 'iam.projects.locations.workloadIdentityPools.list', method: 'GET', path: 'v1/{+parent}/workloadIdentityPools', response: 'ListWorkloadIdentityPoolsResponse' },
  { id: 'iam.projects.locations.workloadIdentityPools.providers.list', method: 'GET', path: 'v1/{+parent}/providers', response: 'ListWorkloadIdentityPoolProvidersResponse' },
  { id: 'iam.projects.serviceAccounts.getIamPolicy', method: 'POST', path: 'v1/{+resource}:getIamPolicy', response: 'Policy' },
];

export type WifAnswer = { error: number; message: string } | { page: { items: unknown[]; key: string; max: number } };

const live = (x: { state?: string }) => (x.state ?? 'ACTIVE') === 'ACTIVE';

/** The answer to a workload identity request, or null when the path is not one of these routes. */
export function wifRoute(estate: Estate, method: string, path: string, q: URLSearchParams): WifAnswer | null {
  const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools(?:\/([^/]+)\/providers)?$/.exec(path);
  if (!m || method !== 'GET') return null;
  const p = findProject(estate, m[1]!);
  if (!p) return { error: 403, message: `Permission 'iam.workloadIdentityPools.list' denied on resource (or it may not exist).` };
  if (p.forbidden) return { error: 403, message: `Permission 'iam.workloadIdentityPools.list' denied on resource '//iam.googleapis.com/projects/${p.number}/locations/${m[2]}' (or it may not exist).` };
  if (m[2] !== 'global') return { error: 400, message: `Location ${m[2]} is not supported; workload identity pools live in 'global'.` };
  const showDeleted = q.get('showDeleted') === 'true';
  const pools = p.workloadIdentityPools ?? [];
  const poolName = (pool: SimPool) => `projects/${p.number}/locations/global/workloadIdentityPools/${pool.id}`;
  if (!m[3]) {
    return { page: { items: pools.filter((x) => showDeleted || live(x)).map((x) => poolJson(poolName(x), x)), key: 'workloadIdentityPools', max: 1000 } };
  }
  const pool = pools.find((x) => x.id === m[3]);
  if (!pool) return { error: 404, message: `Requested entity was not found.` };
  return { page: { items: pool.providers.filter((x) => showDeleted || live(x)).map((x) => providerJson(`${poolName(pool)}/providers/${x.id}`, x)), key: 'workloadIdentityPoolProviders', max: 100 } };
}

function poolJson(name: string, x: SimPool): Record<string, unknown> {
  return { name, state: x.state ?? 'ACTIVE', ...(x.displayName ? { displayName: x.displayName } : {}), ...(x.description ? { description: x.description } : {}),
    ...(x.disabled ? { disabled: true } : {}), ...(x.state === 'DELETED' ? { expireTime: '2030-01-01T00:00:00Z' } : {}) };
}

function providerJson(name: string, x: SimProvider): Record<string, unknown> {
  return {
    name, state: x.state ?? 'ACTIVE', ...(x.displayName ? { displayName: x.displayName } : {}), ...(x.description ? { description: x.description } : {}),
    ...(x.disabled ? { disabled: true } : {}), ...(x.state === 'DELETED' ? { expireTime: '2030-01-01T00:00:00Z' } : {}),
    ...(x.attributeMapping ? { attributeMapping: { ...x.attributeMapping } } : {}), ...(x.attributeCondition ? { attributeCondition: x.attributeCondition } : {}),
    ...(x.oidc ? { oidc: { issuerUri: x.oidc.issuerUri, ...(x.oidc.allowedAudiences ? { allowedAudiences: [...x.oidc.allowedAudiences] } : {}) } } : {}),
    ...(x.aws ? { aws: { accountId: x.aws.accountId } } : {}),
    ...(x.saml ? { saml: { idpMetadataXml: x.saml.idpMetadataXml } } : {}),
  };
}
