// Every route the Okta simulator serves answers in the shape of Okta's published OpenAPI description
// (okta/okta-management-openapi-spec, extracted by scripts/extract-okta-schemas.ts into test/fixtures/okta/openapi-routes.json),
// and the least privileges the docs list are the OAuth scopes the description names for the calls the connector makes.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/sim/okta/routes.js';
import { seedEstate } from '../../../src/sim/okta/estate.js';
import { startOktaSim, type OktaSim } from '../../../src/sim/okta/server.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/okta/openapi-routes.json', import.meta.url), 'utf8')) as {
  source: string; routes: Record<string, { status: number; schema: unknown; scopes: string[] }>; components: { schemas: Record<string, unknown> };
};
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true, discriminator: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
/**
 * OpenAPI 3.0 → JSON Schema: `nullable` becomes a null alternative; a `oneOf` with a `discriminator` mapping becomes
 * "the branch the discriminator value names" (if/then per mapping entry; an unmapped value is refused), which is what
 * the discriminator means (the branches themselves overlap); refs point into "okta".
 */
function toJsonSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toJsonSchema);
  if (!v || typeof v !== 'object') return v;
  const src = v as Record<string, unknown>;
  const disc = src.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
  if (disc?.mapping && Array.isArray(src.oneOf)) {
    const { oneOf: _oneOf, discriminator: _d, ...rest } = src;
    const p = disc.propertyName;
    return toJsonSchema({ ...rest, type: 'object', required: [p], properties: { [p]: { enum: Object.keys(disc.mapping) } },
      allOf: Object.entries(disc.mapping).map(([value, ref]) => ({ if: { properties: { [p]: { const: value } } }, then: { $ref: ref } })) });
  }
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'discriminator' || k === 'example' || k === 'examples') continue;
    // The description's ISO 8601 duration pattern says `^P(?:$)…`, which admits only "P" (its evident intent is `(?!$)`,
    // "not P alone"); Okta's own answers carry P30D. Read with that intent.
    if (k === 'pattern' && typeof x === 'string') { o[k] = x.replace('^P(?:$)', '^P(?!$)'); continue; }
    o[k] = k === 'properties' ? Object.fromEntries(Object.entries(x as object).map(([p, y]) => [p, toJsonSchema(y)])) : toJsonSchema(x);
  }
  if (o.nullable === true) {
    delete o.nullable;
    if (typeof o.type === 'string') return { ...o, type: [o.type, 'null'], ...(Array.isArray(o.enum) ? { enum: [...o.enum, null] } : {}) };
    return { anyOf: [o, { type: 'null' }] };
  }
  delete o.nullable;
  return o;
}
const rewrite = (v: unknown) => JSON.parse(JSON.stringify(toJsonSchema(v)).replaceAll('"#/components/schemas/', '"okta#/components/schemas/')) as object;
ajv.addSchema({ $id: 'okta', components: rewrite(fixture.components) }, 'okta');

const TOKEN = 'contract-ssws-token';
let sim: OktaSim;
beforeAll(async () => { sim = await startOktaSim(seedEstate(), { token: TOKEN, pageSize: 2 }); });
afterAll(async () => { await sim?.close(); });

interface Call { route: string; path: string }
// Concrete requests, reads before the mutations that change what they read.
const CALLS: Call[] = [
  { route: 'GET /api/v1/api-tokens', path: '/api/v1/api-tokens' },
  { route: 'GET /api/v1/api-tokens/{apiTokenId}', path: '/api/v1/api-tokens/00Tabc1' },
  { route: 'GET /api/v1/apps', path: '/api/v1/apps?limit=2&after=0oa2ops' },
  { route: 'GET /api/v1/apps/{appId}', path: '/api/v1/apps/0oa1crm' },
  { route: 'GET /api/v1/apps/{appId}/grants', path: '/api/v1/apps/0oa1crm/grants' },
  { route: 'GET /api/v1/apps/{appId}/credentials/secrets', path: '/api/v1/apps/0oa1crm/credentials/secrets' },
  { route: 'GET /api/v1/apps/{appId}/credentials/secrets/{secretId}', path: '/api/v1/apps/0oa1crm/credentials/secrets/ocs1old' },
  { route: 'GET /api/v1/apps/{appId}/credentials/jwks', path: '/api/v1/apps/0oa2ops/credentials/jwks' },
  { route: 'GET /oauth2/v1/clients/{clientId}/roles', path: '/oauth2/v1/clients/0oa2ops/roles' },
  { route: 'GET /api/v1/users/{id}', path: '/api/v1/users/00u1alice' },
  { route: 'POST /api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/deactivate', path: '/api/v1/apps/0oa1crm/credentials/secrets/ocs1old/lifecycle/deactivate' },
  { route: 'POST /api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/activate', path: '/api/v1/apps/0oa1crm/credentials/secrets/ocs1old/lifecycle/activate' },
  { route: 'POST /api/v1/apps/{appId}/lifecycle/deactivate', path: '/api/v1/apps/0oa1crm/lifecycle/deactivate' },
  { route: 'POST /api/v1/apps/{appId}/lifecycle/activate', path: '/api/v1/apps/0oa1crm/lifecycle/activate' },
  { route: 'DELETE /api/v1/api-tokens/{apiTokenId}', path: '/api/v1/api-tokens/00Tabc3' },
];

async function call(method: string, path: string, token = TOKEN): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { authorization: `SSWS ${token}`, accept: 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe(`okta simulator contract (${fixture.source})`, () => {
  it('has a concrete request for every served route', () => {
    expect(CALLS.map((c) => c.route).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('answers every route with its documented status and a body valid against the schema', async () => {
    const failures: string[] = [];
    for (const c of CALLS) {
      const spec = fixture.routes[c.route]!;
      const { status, body, headers } = await call(c.route.split(' ')[0]!, c.path);
      if (status !== spec.status) { failures.push(`${c.route}: status ${status}, expected ${spec.status}: ${JSON.stringify(body)}`); continue; }
      if (!/^\d+$/.test(headers.get('x-rate-limit-remaining') ?? '')) failures.push(`${c.route}: no X-Rate-Limit-Remaining`);
      if (spec.schema === null) { if (body !== null) failures.push(`${c.route}: expected no body`); continue; }
      const validate = ajv.compile(rewrite(spec.schema));
      if (!validate(body)) failures.push(`${c.route}: ${ajv.errorsText(validate.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
  });

  it('the schemas refuse what Okta would not send (the discriminator reading is not vacuous)', async () => {
    const app = ajv.compile(rewrite(fixture.routes['GET /api/v1/apps/{appId}']!.schema));
    const good = (await call('GET', '/api/v1/apps/0oa1crm')).body as Record<string, any>;
    expect(app(good)).toBe(true);
    expect(app({ ...good, name: 'my_service' })).toBe(false); // an OIDC app is always oidc_client
    expect(app({ ...good, signOnMode: 'NOT_A_MODE' })).toBe(false);
    expect(app({ ...good, settings: { ...good.settings, oauthClient: { ...good.settings.oauthClient, application_type: 'daemon' } } })).toBe(false);
    const roles = ajv.compile(rewrite(fixture.routes['GET /oauth2/v1/clients/{clientId}/roles']!.schema));
    const list = (await call('GET', '/oauth2/v1/clients/0oa2ops/roles')).body as Record<string, unknown>[];
    expect(roles(list)).toBe(true);
    expect(roles([{ ...list[0], type: 'GOD_MODE' }])).toBe(false);
    const tokens = ajv.compile(rewrite(fixture.routes['GET /api/v1/api-tokens']!.schema));
    expect(tokens([{ name: 'x', tokenWindow: 'thirty days' }])).toBe(false);
  });

  it('answers errors in the Error shape and pages /api/v1/apps with Link rel="next"', async () => {
    const validate = ajv.getSchema('okta#/components/schemas/Error')!;
    const missing = await call('GET', '/api/v1/apps/0oaNOPE');
    expect(missing.status).toBe(404);
    expect(validate(missing.body)).toBe(true);
    expect(missing.body).toMatchObject({ errorCode: 'E0000007' });
    const unauth = await call('GET', '/api/v1/apps', 'wrong');
    expect(unauth.status).toBe(401);
    expect(validate(unauth.body)).toBe(true);
    const page = await fetch(`${sim.url}/api/v1/apps?limit=2`, { headers: { authorization: `SSWS ${TOKEN}` } });
    expect(page.headers.get('link')).toMatch(new RegExp(`<http://127\\.0\\.0\\.1:\\d+/api/v1/apps\\?limit=2>; rel="self", <http://127\\.0\\.0\\.1:\\d+/api/v1/apps\\?after=0oa2ops&limit=2>; rel="next"`));
    expect(page.headers.get('x-rate-limit-limit')).toMatch(/^\d+$/);
    expect(Number(page.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });

  it('the least privileges in docs/connectors/okta.md are exactly the scopes the description names for our calls', () => {
    const doc = readFileSync(new URL('../../../docs/connectors/okta.md', import.meta.url), 'utf8');
    const collect = new Set<string>(), act = new Set<string>();
    for (const [route, r] of Object.entries(fixture.routes)) for (const s of r.scopes) (route.startsWith('GET ') ? collect : act).add(s);
    const listed = (section: string) => new Set([...(new RegExp(`${section}:([^\\n]*)`).exec(doc)?.[1] ?? '').matchAll(/`(okta\.[A-Za-z.]+)`/g)].map((m) => m[1]!));
    expect([...listed('Collection scopes')].sort()).toEqual([...collect].sort());
    expect([...listed('Remediation scopes')].sort()).toEqual([...act].sort());
  });
});
