// Every route the simulator serves answers in the shape of Kubernetes' published OpenAPI v3 documents (extracted by
// scripts/extract-kubernetes-schemas.ts into test/fixtures/kubernetes/openapi-schemas.json), errors as meta/v1 Status,
// and it negotiates content as the API server does: metadata only when asked, values otherwise.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, ROUTES } from '../../../src/sim/kubernetes/routes.js';
import { seedEstate } from '../../../src/sim/kubernetes/seed.js';
import { startK8sSim, type K8sSim } from '../../../src/sim/kubernetes/server.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/kubernetes/openapi-schemas.json', import.meta.url), 'utf8')) as {
  source: string; routes: Record<string, { status: number; schema: unknown }>; components: { schemas: Record<string, unknown> };
};
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const rewrite = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"k8s#/components/schemas/')) as object;
ajv.addSchema({ $id: 'k8s', components: rewrite(fixture.components) }, 'k8s');

const TOKEN = 'contract-token-0123456789';
const LIST_META = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
let sim: K8sSim;

beforeAll(async () => { sim = await startK8sSim(seedEstate(), { token: TOKEN, tls: false, maxPageSize: 4 }); });
afterAll(async () => { await sim?.close(); });

interface Call { route: string; path: string; body?: unknown; accept?: string }

async function call(c: Call, token = TOKEN): Promise<{ status: number; body: any; type: string | null }> {
  const res = await fetch(`${sim.url}${c.path}`, { method: c.route.split(' ')[0], body: c.body ? JSON.stringify(c.body) : undefined,
    headers: { authorization: `Bearer ${token}`, accept: c.accept ?? 'application/json', ...(c.body ? { 'content-type': 'application/json' } : {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, type: res.headers.get('content-type') };
}

const rb = (name: string, subjects: unknown[], resourceVersion?: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
  metadata: { name, namespace: 'default', ...(resourceVersion ? { resourceVersion } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-writer' }, subjects });
const crb = (name: string, subjects: unknown[], resourceVersion?: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
  metadata: { name, ...(resourceVersion ? { resourceVersion } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects });
const SUBJ = [{ kind: 'User', name: 'carol@acme.example', apiGroup: 'rbac.authorization.k8s.io' }];

// Reads before the writes that change what they read; resourceVersions are filled in from the estate when the call is made.
const at = (route: string, rest: () => Omit<Call, 'route'>) => ({ route, make: (): Call => ({ route, ...rest() }) });
const CALLS: { route: string; make: () => Call }[] = [
  at('GET /api/v1/serviceaccounts', () => ({ path: '/api/v1/serviceaccounts?limit=4' })),
  at('GET /api/v1/secrets', () => ({ path: '/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Fservice-account-token', accept: LIST_META })),
  at('GET /api/v1/namespaces/{namespace}/secrets/{name}', () => ({ path: '/api/v1/namespaces/ci/secrets/deployer-token', accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' })),
  at(`GET ${RBAC}/roles`, () => ({ path: `${RBAC}/roles` })),
  at(`GET ${RBAC}/clusterroles`, () => ({ path: `${RBAC}/clusterroles?limit=2` })),
  at(`GET ${RBAC}/rolebindings`, () => ({ path: `${RBAC}/rolebindings` })),
  at(`GET ${RBAC}/clusterrolebindings`, () => ({ path: `${RBAC}/clusterrolebindings` })),
  at(`GET ${RBAC}/namespaces/{namespace}/rolebindings/{name}`, () => ({ path: `${RBAC}/namespaces/default/rolebindings/config-writer` })),
  at(`GET ${RBAC}/clusterrolebindings/{name}`, () => ({ path: `${RBAC}/clusterrolebindings/alice-view` })),
  at(`POST ${RBAC}/namespaces/{namespace}/rolebindings`, () => ({ path: `${RBAC}/namespaces/default/rolebindings`, body: rb('contract', SUBJ) })),
  at(`POST ${RBAC}/clusterrolebindings`, () => ({ path: `${RBAC}/clusterrolebindings`, body: crb('contract', SUBJ) })),
  at(`PUT ${RBAC}/namespaces/{namespace}/rolebindings/{name}`, () => ({ path: `${RBAC}/namespaces/default/rolebindings/contract`,
    body: rb('contract', [], sim.estate.roleBindings.find((b) => b.metadata.name === 'contract')!.metadata.resourceVersion) })),
  at(`PUT ${RBAC}/clusterrolebindings/{name}`, () => ({ path: `${RBAC}/clusterrolebindings/contract`,
    body: crb('contract', [], sim.estate.clusterRoleBindings.find((b) => b.metadata.name === 'contract')!.metadata.resourceVersion) })),
  at(`DELETE ${RBAC}/namespaces/{namespace}/rolebindings/{name}`, () => ({ path: `${RBAC}/namespaces/default/rolebindings/contract` })),
  at(`DELETE ${RBAC}/clusterrolebindings/{name}`, () => ({ path: `${RBAC}/clusterrolebindings/contract` })),
  at('DELETE /api/v1/namespaces/{namespace}/secrets/{name}', () => ({ path: '/api/v1/namespaces/payments/secrets/api-token-retired', body: { preconditions: {} } })),
];

describe(`kubernetes simulator contract (${fixture.source})`, () => {
  it('has a concrete request for every served route', () => {
    expect(CALLS.map((c) => c.route).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect(Object.keys(fixture.routes).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('answers every route with its documented status and a body valid against the schema', async () => {
    const failures: string[] = [];
    for (const { route, make } of CALLS) {
      const c = make();
      expect(c.route).toBe(route);
      const spec = fixture.routes[c.route]!;
      const { status, body } = await call(c);
      if (status !== spec.status) { failures.push(`${c.route}: status ${status}, expected ${spec.status}: ${JSON.stringify(body)}`); continue; }
      const validate = ajv.compile(rewrite(spec.schema));
      if (!validate(body)) failures.push(`${c.route}: ${ajv.errorsText(validate.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
  });

  it('serves metadata only when asked (no value in any item), values otherwise, and refuses what it cannot render', async () => {
    const meta = await call({ route: 'GET /api/v1/secrets', path: '/api/v1/secrets', accept: LIST_META });
    expect(meta.type).toBe(LIST_META);
    expect(meta.body.kind).toBe('PartialObjectMetadataList');
    expect(meta.body.items.length).toBeGreaterThan(0);
    for (const item of meta.body.items) expect(Object.keys(item).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    const before = sim.secretDataResponses;
    const full = await call({ route: 'GET /api/v1/secrets', path: '/api/v1/secrets?fieldSelector=type%3DOpaque' });
    expect(full.body.items[0].data.password).toBe(Buffer.from('NHICANARYK8S-db-password').toString('base64'));
    expect(sim.secretDataResponses).toBe(before + 1);
    expect(ajv.validate('k8s#/components/schemas/io.k8s.api.core.v1.SecretList', full.body)).toBe(true);
    const refused = await call({ route: 'GET /api/v1/secrets', path: '/api/v1/secrets', accept: 'application/yaml' });
    expect(refused.status).toBe(406);
  });

  it('answers errors as Status objects: 401, 404, 409 on a stale resourceVersion or failed precondition, 400 on a bad continue', async () => {
    const status = ajv.getSchema(`k8s#/components/schemas/${ERROR_SCHEMA}`)!;
    const cases = [
      [await call({ route: 'GET /api/v1/serviceaccounts', path: '/api/v1/serviceaccounts' }, 'wrong'), 401, 'Unauthorized'],
      [await call({ route: 'GET x', path: `${RBAC}/clusterrolebindings/nope` }), 404, 'NotFound'],
      [await call({ route: 'PUT x', path: `${RBAC}/clusterrolebindings/alice-view`, body: crb('alice-view', [], '1') }), 409, 'Conflict'],
      [await call({ route: 'DELETE x', path: '/api/v1/namespaces/ci/secrets/deployer-token', body: { preconditions: { uid: 'other' } } }), 409, 'Conflict'],
      [await call({ route: 'GET x', path: '/api/v1/serviceaccounts?limit=2&continue=bogus' }), 400, 'BadRequest'],
    ] as const;
    for (const [res, code, reason] of cases) {
      expect([res.status, res.body.reason, res.body.code]).toEqual([code, reason, code]);
      expect(status(res.body)).toBe(true);
    }
  });

  it('pages with limit and continue; the last page carries no continue', async () => {
    const seen: string[] = [];
    let cont = '';
    for (let i = 0; i < 10; i++) {
      const { body } = await call({ route: 'GET x', path: `/api/v1/serviceaccounts?limit=3${cont ? `&continue=${cont}` : ''}` });
      seen.push(...body.items.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`));
      if (!body.metadata.continue) break;
      expect(body.items.length).toBe(3);
      cont = body.metadata.continue;
    }
    expect(seen).toEqual(sim.estate.serviceAccounts.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort());
  });
});
