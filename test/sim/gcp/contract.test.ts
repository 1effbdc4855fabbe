// The GCP simulator's workload identity routes (and the service-account getIamPolicy route the connector already used)
// serve IAM v1 as Google publishes it: the HTTP methods and paths of the discovery document's methods, paths whose
// variables match the published patterns, bodies valid against its schemas with no field they do not declare, and
// only declared query parameters from the connector (extracted by scripts/extract-gcp-iam-schemas.ts into
// test/fixtures/gcp/iam_v1.json).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcpSim, type GcpSim } from '../../../src/sim/gcp/server.js';
import { IAM_ROUTES } from '../../../src/sim/gcp/wif.js';
import { seedEstate } from '../../../src/sim/gcp/seed.js';
import { policy, saEmail, type Estate } from '../../../src/sim/gcp/estate.js';
import { collectGcp, startSim } from '../../connectors/gcp/harness.js';

interface Method { httpMethod: string; path: string; parameters: Record<string, { location: string; required: boolean; pattern?: string }>; response: string | null; scopes: string[] }
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/gcp/iam_v1.json', import.meta.url), 'utf8')) as {
  source: string; global_parameters: string[]; methods: Record<string, Method>; schemas: Record<string, unknown>;
};

/** Discovery schema → JSON Schema: refs into definitions, declared properties only (additionalProperties false). */
function toJsonSchema(s: Record<string, any>): Record<string, unknown> {
  if (s.$ref) return { $ref: `#/definitions/${s.$ref}` };
  const o: Record<string, unknown> = {};
  if (s.type && s.type !== 'any') o.type = s.type;
  if (s.enum) o.enum = s.enum;
  if (s.format === 'google-datetime') o.format = 'date-time';
  if (s.items) o.items = toJsonSchema(s.items);
  if (s.properties) {
    o.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toJsonSchema(v as Record<string, any>)]));
    o.additionalProperties = s.additionalProperties ? toJsonSchema(s.additionalProperties) : false;
  } else if (s.additionalProperties) o.additionalProperties = toJsonSchema(s.additionalProperties);
  return o;
}
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const definitions = Object.fromEntries(Object.entries(fixture.schemas).map(([k, v]) => [k, toJsonSchema(v as Record<string, any>)]));
const validatorOf = (name: string) => ajv.compile({ definitions, $ref: `#/definitions/${name}` });

/** A request path as the published method spells it: `{+var}` filled with a value matching the parameter's pattern. */
function matchesPublished(id: string, path: string): boolean {
  const m = fixture.methods[id]!;
  const parts = m.path.split(/\{\+?([^}]+)\}/);
  const vars = parts.filter((_, i) => i % 2 === 1);
  const re = parts.map((p, i) => (i % 2 ? '(.+?)' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const hit = new RegExp(`^/${re}$`).exec(path);
  if (!hit) return false;
  return vars.every((v, i) => { const pat = m.parameters[v]?.pattern; return !pat || new RegExp(pat).test(decodeURIComponent(hit[i + 1]!)); });
}

function estate(): Estate {
  const e = seedEstate();
  const web = e.projects.find((p) => p.projectId === 'acme-web')!;
  web.workloadIdentityPools = [
    { id: 'gh', displayName: 'GitHub', description: 'CI', providers: [
      { id: 'github', displayName: 'GitHub Actions', oidc: { issuerUri: 'https://token.actions.githubusercontent.com', allowedAudiences: ['https://iam.googleapis.com/x'] },
        attributeMapping: { 'google.subject': 'assertion.sub' }, attributeCondition: "assertion.repository == 'acme/web'" },
      { id: 'old', disabled: true, state: 'DELETED', oidc: { issuerUri: 'https://gitlab.com' } },
      { id: 'aws', aws: { accountId: '123456789012' } },
      { id: 'saml', saml: { idpMetadataXml: '<EntityDescriptor entityID="https://idp.acme.example"/>' } },
    ] },
    { id: 'gone', state: 'DELETED', providers: [] },
    { id: 'off', disabled: true, providers: [] },
  ];
  web.serviceAccounts[0]!.policy = policy([{ role: 'roles/iam.workloadIdentityUser', members: ['principalSet://iam.googleapis.com/projects/1001/locations/global/workloadIdentityPools/gh/*'],
    condition: { title: 'until', description: 'temporary', expression: 'request.time < timestamp("2999-01-01T00:00:00Z")' } }]);
  return e;
}

const TOKEN = 'ya29.contract-test';
let sim: GcpSim;
beforeAll(async () => { sim = await startGcpSim(estate(), { token: TOKEN, pageSize: 50 }); });
afterAll(async () => { await sim?.close(); });

async function call(method: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const tokenAfter = (n: number) => Buffer.from(`o:${n}`).toString('base64url');
const SA = `projects/acme-web/serviceAccounts/${saEmail('acme-web', 'deployer')}`;

describe(`gcp simulator (IAM v1 workload identity) against ${fixture.source}`, () => {
  it('serves the published methods: HTTP method, path and response schema', () => {
    expect(Object.keys(fixture.methods).sort()).toEqual(IAM_ROUTES.map((r) => r.id).sort());
    for (const r of IAM_ROUTES) {
      const m = fixture.methods[r.id]!;
      expect([r.method, r.path, r.response], r.id).toEqual([m.httpMethod, m.path, m.response]);
      expect(m.scopes, r.id).toContain('https://www.googleapis.com/auth/cloud-platform');
    }
  });

  const CALLS: { id: string; method: string; path: string; query: string; status: number; check?: (b: any) => void }[] = [
    { id: 'iam.projects.locations.workloadIdentityPools.list', method: 'GET', path: '/v1/projects/acme-web/locations/global/workloadIdentityPools', query: 'pageSize=1', status: 200,
      check: (b) => { expect(b.workloadIdentityPools.map((p: any) => p.name)).toEqual(['projects/1001/locations/global/workloadIdentityPools/gh']); expect(b.nextPageToken).toBeTruthy(); } },
    // Soft-deleted pools only with showDeleted; the page after the first.
    { id: 'iam.projects.locations.workloadIdentityPools.list', method: 'GET', path: '/v1/projects/1001/locations/global/workloadIdentityPools', query: `pageSize=1&pageToken=${tokenAfter(1)}&showDeleted=true`, status: 200,
      check: (b) => expect(b.workloadIdentityPools).toMatchObject([{ name: 'projects/1001/locations/global/workloadIdentityPools/gone', state: 'DELETED' }]) },
    { id: 'iam.projects.locations.workloadIdentityPools.list', method: 'GET', path: '/v1/projects/1001/locations/global/workloadIdentityPools', query: '', status: 200,
      check: (b) => { expect(b.workloadIdentityPools.map((p: any) => p.name.split('/').pop())).toEqual(['gh', 'off']); expect(b.nextPageToken).toBeUndefined(); } },
    { id: 'iam.projects.locations.workloadIdentityPools.providers.list', method: 'GET', path: '/v1/projects/1001/locations/global/workloadIdentityPools/gh/providers', query: 'showDeleted=true&pageSize=100', status: 200,
      check: (b) => expect(b.workloadIdentityPoolProviders.map((p: any) => p.name.split('/').pop())).toEqual(['github', 'old', 'aws', 'saml']) },
    { id: 'iam.projects.locations.workloadIdentityPools.providers.list', method: 'GET', path: '/v1/projects/1001/locations/global/workloadIdentityPools/gh/providers', query: '', status: 200,
      check: (b) => expect(b.workloadIdentityPoolProviders.map((p: any) => p.name.split('/').pop())).toEqual(['github', 'aws', 'saml']) },
    { id: 'iam.projects.serviceAccounts.getIamPolicy', method: 'POST', path: `/v1/${SA}:getIamPolicy`, query: 'options.requestedPolicyVersion=3', status: 200,
      check: (b) => expect(b).toMatchObject({ version: 3, bindings: [{ role: 'roles/iam.workloadIdentityUser', condition: { title: 'until' } }] }) },
  ];

  it.each(CALLS)('$method $path?$query answers $status in the published shape', async (c) => {
    expect(matchesPublished(c.id, c.path), `${c.path} does not fit ${fixture.methods[c.id]!.path}`).toBe(true);
    const declared = new Set([...Object.keys(fixture.methods[c.id]!.parameters), ...fixture.global_parameters]);
    for (const k of new URLSearchParams(c.query).keys()) expect(declared.has(k), k).toBe(true);
    const { status, body } = await call(c.method, `${c.path}${c.query ? `?${c.query}` : ''}`);
    expect(status).toBe(c.status);
    const validate = validatorOf(fixture.methods[c.id]!.response!);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    c.check?.(body);
  });

  it('the check is strict: an invented field or a wrong type fails it', () => {
    const v = validatorOf('WorkloadIdentityPoolProvider');
    expect(v({ name: 'n', oidc: { issuerUri: 'https://x', allowedAudiences: ['a'] }, attributeMapping: { 'google.subject': 'assertion.sub' } })).toBe(true);
    expect(v({ name: 'n', oidc: { issuer: 'https://x' } })).toBe(false);
    expect(v({ name: 'n', attributeMapping: { 'google.subject': 1 } })).toBe(false);
    expect(v({ name: 'n', state: 'GONE' })).toBe(false);
    expect(validatorOf('ListWorkloadIdentityPoolsResponse')({ pools: [] })).toBe(false);
  });

  it('answers an unknown pool with 404 and a project the caller may not read with 403, in Google\'s error shape', async () => {
    const missing = await call('GET', '/v1/projects/1001/locations/global/workloadIdentityPools/nope/providers');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 404, status: 'NOT_FOUND', message: expect.any(String) } } });
    sim.estate.projects.find((p) => p.projectId === 'acme-ops')!.forbidden = true;
    const denied = await call('GET', '/v1/projects/acme-ops/locations/global/workloadIdentityPools');
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 403, status: 'PERMISSION_DENIED' } } });
    expect((await call('GET', `/v1/projects/1001/locations/global/workloadIdentityPools?pageToken=bogus`)).status).toBe(400);
  });

  it('every query parameter the connector sends on these routes is declared for its method', async () => {
    const s = await startSim(estate());
    await collectGcp(s);
    const seen = new Set<string>();
    for (const q of s.queries) {
      const [method, path] = q.call.split(' ') as [string, string];
      const route = IAM_ROUTES.find((r) => r.method === method && matchesPublished(r.id, path));
      if (!route) continue;
      seen.add(route.id);
      const declared = new Set([...Object.keys(fixture.methods[route.id]!.parameters), ...fixture.global_parameters]);
      for (const p of q.params) expect(declared.has(p), `${route.id} ?${p}`).toBe(true);
    }
    expect([...seen].sort()).toEqual(IAM_ROUTES.map((r) => r.id).sort());
  });
});
