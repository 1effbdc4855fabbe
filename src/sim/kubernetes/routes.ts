// The routes the Kubernetes simulator serves, as paths of Kubernetes' published OpenAPI v3 documents
// (api/openapi-spec/v3 in kubernetes/kubernetes), with the status each answers and the document that describes it.
// scripts/extract-kubernetes-schemas.ts reads this list; test/sim/kubernetes/contract.test.ts checks every route.
export interface Route { method: string; path: string; status: number; document: 'api__v1' | 'apis__rbac.authorization.k8s.io__v1' }

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const core = (method: string, path: string, status = 200): Route => ({ method, path, status, document: 'api__v1' });
const rbac = (method: string, path: string, status = 200): Route => ({ method, path: `${RBAC}${path}`, status, document: 'apis__rbac.authorization.k8s.io__v1' });

export const ROUTES: Route[] = [
  core('GET', '/api/v1/serviceaccounts'),
  core('GET', '/api/v1/secrets'),
  core('GET', '/api/v1/namespaces/{namespace}/secrets/{name}'),
  core('DELETE', '/api/v1/namespaces/{namespace}/secrets/{name}'),
  rbac('GET', '/roles'),
  rbac('GET', '/clusterroles'),
  rbac('GET', '/rolebindings'),
  rbac('GET', '/clusterrolebindings'),
  rbac('GET', '/namespaces/{namespace}/rolebindings/{name}'),
  rbac('PUT', '/namespaces/{namespace}/rolebindings/{name}'),
  rbac('DELETE', '/namespaces/{namespace}/rolebindings/{name}'),
  rbac('POST', '/namespaces/{namespace}/rolebindings', 201),
  rbac('GET', '/clusterrolebindings/{name}'),
  rbac('PUT', '/clusterrolebindings/{name}'),
  rbac('DELETE', '/clusterrolebindings/{name}'),
  rbac('POST', '/clusterrolebindings', 201),
];

/** Every error is a meta/v1 Status. */
export const ERROR_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
