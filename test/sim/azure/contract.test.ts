// Every Microsoft Graph v1.0 route the Azure simulator serves exists in Microsoft's published Graph metadata and answers
// with its documented status and a body valid against the entity's schema there (extracted by
// scripts/extract-graph-schemas.ts into test/fixtures/azure/graph-v1.0-routes.json): no property the metadata lacks,
// none of the wrong type, null only where the metadata allows it.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_ROUTES } from '../../../src/sim/azure/graph-routes.js';
import { contosoEstate, id, MS } from '../../../src/sim/azure/seed.js';
import { startAzureSim, type AzureSim } from '../../../src/sim/azure/server.js';
import { httpsFetchWithCa } from '../../../src/connectors/azure/transport.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/azure/graph-v1.0-routes.json', import.meta.url), 'utf8')) as {
  source: string; routes: Record<string, { status: number; schema: unknown; resolves_to: string }>; components: { schemas: Record<string, unknown> };
};
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const rewrite = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"graph#/components/schemas/')) as object;
ajv.addSchema({ $id: 'graph', components: rewrite(fixture.components) }, 'graph');

let sim: AzureSim;
const spSecret = '5a0b6b84-7c47-4d0e-8f39-6f0a0c9d3e21';
let f: typeof fetch;
beforeAll(async () => {
  const estate = contosoEstate();
  // A service principal's own client secret, for its removePassword route.
  estate.servicePrincipals.find((s) => s.id === id.spCrm)!.passwordCredentials.push({ keyId: spSecret, displayName: 'sp-secret', hint: 'Sp1', startDateTime: '2026-01-01T00:00:00Z', endDateTime: null });
  sim = await startAzureSim({ estate, pageSize: 2 });
  f = httpsFetchWithCa(sim.ca);
});
afterAll(async () => { await sim?.close(); });

interface Call { route: string; path: string; body?: unknown }
async function call(c: Call): Promise<{ status: number; body: unknown }> {
  const method = c.route.split(' ')[0]!;
  const res = await f(`${sim.graphEndpoint}/v1.0${c.path}`, { method, headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' }, body: c.body ? JSON.stringify(c.body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// Concrete requests, reads before the mutations that remove what they read.
const CALLS: Call[] = [
  { route: 'GET /servicePrincipals', path: '/servicePrincipals?$top=2' },
  { route: 'GET /servicePrincipals/{id}', path: `/servicePrincipals/${id.spCrm}` },
  { route: 'GET /servicePrincipals/{id}/appRoleAssignments', path: `/servicePrincipals/${id.spCrm}/appRoleAssignments` },
  { route: 'GET /servicePrincipals/{id}/appRoleAssignments/{id}', path: `/servicePrincipals/${id.spCrm}/appRoleAssignments/${id.araCrmMail}` },
  { route: 'GET /applications', path: '/applications?$expand=owners' },
  { route: 'GET /applications/{id}', path: `/applications/${id.appDeploy}?$expand=owners` },
  { route: 'GET /applications/{id}/federatedIdentityCredentials', path: `/applications/${id.appLegacy}/federatedIdentityCredentials` },
  { route: 'GET /applications/{id}/federatedIdentityCredentials/{id}', path: `/applications/${id.appDeploy}/federatedIdentityCredentials/${id.ficDeploy}` },
  { route: 'GET /oauth2PermissionGrants', path: '/oauth2PermissionGrants' },
  { route: 'GET /oauth2PermissionGrants/{id}', path: `/oauth2PermissionGrants/${id.grantNotesBob}` },
  { route: 'GET /directoryRoles', path: '/directoryRoles' },
  { route: 'GET /directoryRoles/{id}/members', path: `/directoryRoles/${id.dirRoleReaders}/members` },
  { route: 'POST /directoryObjects/getByIds', path: '/directoryObjects/getByIds', body: { ids: [id.alice, id.ops, id.spCrm], types: ['user', 'group', 'servicePrincipal'] } },
  { route: 'GET /users', path: '/users' },
  { route: 'POST /servicePrincipals/{id}/appRoleAssignments', path: `/servicePrincipals/${id.spNotes}/appRoleAssignments`, body: { principalId: id.spNotes, resourceId: id.msGraph, appRoleId: MS.role.userReadAll } },
  { route: 'POST /oauth2PermissionGrants', path: '/oauth2PermissionGrants', body: { clientId: id.spSurvey, consentType: 'AllPrincipals', principalId: null, resourceId: id.msGraph, scope: 'User.Read' } },
  { route: 'POST /applications/{id}/federatedIdentityCredentials', path: `/applications/${id.appLonely}/federatedIdentityCredentials`, body: { name: 'gh', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:contoso/x:ref:refs/heads/main', audiences: ['api://AzureADTokenExchange'] } },
  { route: 'PATCH /oauth2PermissionGrants/{id}', path: `/oauth2PermissionGrants/${id.grantCrm}`, body: { scope: 'User.Read' } },
  { route: 'PATCH /servicePrincipals/{id}', path: `/servicePrincipals/${id.spSurvey}`, body: { accountEnabled: false } },
  { route: 'POST /servicePrincipals/{id}/removePassword', path: `/servicePrincipals/${id.spCrm}/removePassword`, body: { keyId: spSecret } },
  { route: 'POST /applications/{id}/removePassword', path: `/applications/${id.appDeploy}/removePassword`, body: { keyId: id.pwDeploy } },
  { route: 'DELETE /servicePrincipals/{id}/appRoleAssignments/{id}', path: `/servicePrincipals/${id.spCrm}/appRoleAssignments/${id.araCrmMail}` },
  { route: 'DELETE /applications/{id}/federatedIdentityCredentials/{id}', path: `/applications/${id.appDeploy}/federatedIdentityCredentials/${id.ficDeploy}` },
  { route: 'DELETE /oauth2PermissionGrants/{id}', path: `/oauth2PermissionGrants/${id.grantNotesBob}` },
];

/** A directoryObject collection holds derived types: each item is checked against the type its @odata.type names. */
function validateDirectoryObjects(items: Record<string, unknown>[]): string[] {
  const errs: string[] = [];
  for (const it of items) {
    const t = String(it['@odata.type'] ?? '').replace(/^#/, '');
    const v = ajv.getSchema(`graph#/components/schemas/${t}`);
    if (!v) { errs.push(`item of unknown type ${t}`); continue; }
    if (!v(it)) errs.push(`${t}: ${ajv.errorsText(v.errors?.slice(0, 3))}`);
  }
  return errs;
}

describe(`azure simulator's Graph routes (${fixture.source})`, () => {
  it('has a concrete request for every served route, and every route is in the published metadata', () => {
    expect(CALLS.map((c) => c.route).sort()).toEqual(GRAPH_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of GRAPH_ROUTES) expect(fixture.routes[`${r.method} ${r.path}`], `${r.method} ${r.path}`).toBeDefined();
  });

  it('answers every route with its documented status and a body valid against the metadata', async () => {
    const failures: string[] = [];
    for (const c of CALLS) {
      const spec = fixture.routes[c.route]!;
      const { status, body } = await call(c);
      if (status !== spec.status) { failures.push(`${c.route}: status ${status}, expected ${spec.status}: ${JSON.stringify(body)}`); continue; }
      if (spec.schema === null) { if (body !== null) failures.push(`${c.route}: expected no body`); continue; }
      if (/directoryObject/.test(spec.resolves_to)) { failures.push(...validateDirectoryObjects((body as { value: Record<string, unknown>[] }).value).map((e) => `${c.route}: ${e}`)); continue; }
      const validate = ajv.compile(rewrite(spec.schema));
      if (!validate(body)) failures.push(`${c.route}: ${ajv.errorsText(validate.errors?.slice(0, 3))}`);
      // Expanded owners are directory objects too.
      const owners = ((body as { value?: { owners?: Record<string, unknown>[] }[] }).value ?? [body as { owners?: Record<string, unknown>[] }]).flatMap((x) => x.owners ?? []);
      failures.push(...validateDirectoryObjects(owners).map((e) => `${c.route} owners: ${e}`));
    }
    expect(failures).toEqual([]);
  });

  it('pages with @odata.nextLink, and answers an unknown id with the Graph error shape', async () => {
    const first = await call({ route: 'GET /servicePrincipals', path: '/servicePrincipals?$top=2' });
    const next = (first.body as Record<string, string>)['@odata.nextLink'];
    expect(next).toMatch(/(\$|%24)skiptoken=2/);
    const missing = await call({ route: 'GET /oauth2PermissionGrants/{id}', path: '/oauth2PermissionGrants/nope' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'Request_ResourceNotFound', message: expect.any(String), innerError: { 'request-id': expect.any(String) } } });
  });
});

describe('azure simulator: a managed identity\'s federated credentials (ARM Microsoft.ManagedIdentity 2023-01-31)', () => {
  const example = JSON.parse(readFileSync(new URL('../../fixtures/azure/msi-2023-01-31-FederatedIdentityCredentialList.json', import.meta.url), 'utf8')) as {
    source: string; responses: { 200: { body: { value: Record<string, unknown>[] } } };
  };
  /** The shape of a JSON value: keys (recursively) and primitive types, so two bodies compare by structure. */
  const shape = (v: unknown): unknown => Array.isArray(v) ? v.slice(0, 1).map(shape)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, shape(x)])) : typeof v;

  it(`lists them in the shape of the published example (${example.source.split(' at ')[0]!.split('/').pop()})`, async () => {
    const rid = sim.estate.managedIdentityFics![0]!.identityResourceId;
    const res = await f(`${sim.armEndpoint}${rid}/federatedIdentityCredentials?api-version=2023-01-31`, { headers: { authorization: `Bearer ${sim.token}` } });
    expect(res.status).toBe(200);
    const body = await res.json() as { value: Record<string, unknown>[]; nextLink: string | null };
    expect(body.value).toHaveLength(1);
    expect(shape(body.value)).toEqual(shape(example.responses[200].body.value));
    expect(body.value[0]!.type).toBe(example.responses[200].body.value[0]!.type);
    expect(body.nextLink).toBeNull();
  });
});
