// The Workspace simulator serves the Directory API as Google publishes it: the routes, HTTP methods, scopes and
// parameters of the discovery document's methods, and bodies valid against its schemas, with no field the schemas do
// not declare (extracted by scripts/extract-workspace-schemas.ts into test/fixtures/workspace/directory_v1.json).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, startWorkspaceSim, type WorkspaceSim } from '../../../src/sim/workspace/server.js';
import { seedEstate } from '../../../src/sim/workspace/seed.js';
import { collectWs, startSim } from '../../connectors/workspace/harness.js';

interface Method { httpMethod: string; path: string; parameters: Record<string, { location: string; required: boolean }>; response: string | null; scopes: string[] }
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/workspace/directory_v1.json', import.meta.url), 'utf8')) as {
  source: string; global_parameters: string[]; methods: Record<string, Method>; schemas: Record<string, unknown>;
};

/** Discovery schema → JSON Schema: refs into definitions, declared properties only (additionalProperties false). */
function toJsonSchema(s: Record<string, any>): Record<string, unknown> {
  if (s.$ref) return { $ref: `#/definitions/${s.$ref}` };
  const o: Record<string, unknown> = {};
  if (s.type && s.type !== 'any') o.type = s.type;
  if (s.enum) o.enum = s.enum;
  if (s.format === 'date-time') o.format = 'date-time';
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

const TOKEN = 'ya29.contract-test';
let sim: WorkspaceSim;
beforeAll(async () => { sim = await startWorkspaceSim(seedEstate(), { token: TOKEN, pageSize: 3 }); });
afterAll(async () => { await sim?.close(); });

async function call(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}/${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe(`workspace simulator against ${fixture.source}`, () => {
  it('serves exactly the published methods: HTTP method, path and scopes', () => {
    expect(Object.keys(fixture.methods).sort()).toEqual(ROUTES.map((r) => r.id).sort());
    for (const r of ROUTES) {
      const m = fixture.methods[r.id]!;
      expect([r.method, r.path, r.response], r.id).toEqual([m.httpMethod, m.path, m.response]);
      expect([...r.scopes].sort(), r.id).toEqual([...m.scopes].sort());
    }
  });

  // Concrete requests, reads before the delete that removes what they read.
  const CALLS: { id: string; method: string; path: string; status: number }[] = [
    { id: 'directory.users.list', method: 'GET', path: 'admin/directory/v1/users?customer=my_customer&maxResults=3&projection=basic', status: 200 },
    { id: 'directory.users.list', method: 'GET', path: `admin/directory/v1/users?customer=my_customer&maxResults=3&pageToken=${Buffer.from('users:6').toString('base64url')}`, status: 200 },
    { id: 'directory.tokens.list', method: 'GET', path: 'admin/directory/v1/users/bob@acme.example/tokens', status: 200 },
    { id: 'directory.tokens.list', method: 'GET', path: 'admin/directory/v1/users/100000000000000000001/tokens', status: 200 },
    { id: 'directory.tokens.get', method: 'GET', path: 'admin/directory/v1/users/robert@acme.example/tokens/2222-mailmerge.apps.googleusercontent.com', status: 200 },
    { id: 'directory.tokens.delete', method: 'DELETE', path: 'admin/directory/v1/users/bob@acme.example/tokens/2222-mailmerge.apps.googleusercontent.com', status: 204 },
  ];

  it.each(CALLS)('$method $path answers $status in the published shape', async (c) => {
    const { status, body } = await call(c.method, c.path);
    expect(status).toBe(c.status);
    const schema = fixture.methods[c.id]!.response;
    if (!schema) { expect(body).toBeNull(); return; }
    const validate = validatorOf(schema);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the check is strict: an invented field or a wrong type fails it', () => {
    const v = validatorOf('Token');
    expect(v({ clientId: 'x', scopes: ['openid'] })).toBe(true);
    expect(v({ clientId: 'x', lastUsedTime: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(v({ clientId: 'x', scopes: 'openid' })).toBe(false);
    expect(validatorOf('Users')({ users: [{ id: '1', primaryEmail: 'a@b', name: { fullName: 'A', nickname: 'x' } }] })).toBe(false);
  });

  it('every query parameter the connector sends is declared for its method', async () => {
    const h = await startSim();
    await collectWs(h);
    expect(h.sim.calls.length).toBeGreaterThan(0);
    for (const c of h.sim.calls) {
      const declared = new Set([...Object.keys(fixture.methods[c.route]!.parameters), ...fixture.global_parameters]);
      for (const q of c.query) expect(declared.has(q), `${c.route} ?${q}`).toBe(true);
    }
  });

  it('refuses a token without the method\'s scope, and a userKey or clientId that does not exist, in the v1 error shape', async () => {
    sim.issued.set('ya29.users-only', { subject: 'admin@acme.example', scopes: ['https://www.googleapis.com/auth/admin.directory.user.readonly'] });
    const r = await fetch(`${sim.url}/admin/directory/v1/users/bob@acme.example/tokens`, { headers: { authorization: 'Bearer ya29.users-only' } });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ error: { code: 403, errors: [{ reason: 'insufficientPermissions', domain: 'global' }] } });
    expect((await call('GET', 'admin/directory/v1/users/nobody@acme.example/tokens')).body).toMatchObject({ error: { code: 404, errors: [{ reason: 'notFound' }] } });
    expect((await call('GET', 'admin/directory/v1/users/bob@acme.example/tokens/nope')).status).toBe(404);
  });
});
