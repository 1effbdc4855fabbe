import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Credential, Entitlement, Identity } from '../../src/model/index.js';
import { normalizeCredential, normalizeEntitlement, normalizeIdentity } from '../../src/model/normalize.js';

// The hot-path normaliser must agree with the zod schemas: same accept/reject decision, same output.
const value = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.boolean(), fc.integer(), fc.date({ noInvalidDate: false }), fc.constant({ a: 1 }), fc.constant([1]),
  fc.constantFrom('user', 'service_account', 'access_key', 'stored_secret', 'read', 'write', 'admin', 'active', 'revoked', 'direct', 'team', 'provider', 'tag'));
const pairs = [
  ['identity', Identity, normalizeIdentity, ['ref', 'kind', 'name', 'login', 'human', 'owner', 'owner_source', 'created_at', 'last_used_at', 'last_used_known', 'disabled', 'attributes', 'extra']],
  ['credential', Credential, normalizeCredential, ['ref', 'kind', 'name', 'identity_ref', 'created_by', 'owner', 'created_at', 'last_used_at', 'last_used_known', 'expires_at', 'expiry_supported', 'last_rotated_at', 'status', 'leak_signal', 'fingerprint', 'attributes']],
  ['entitlement', Entitlement, normalizeEntitlement, ['ref', 'identity_ref', 'identity_name', 'resource_ref', 'permission', 'level', 'privileged', 'via', 'path', 'expires_at', 'last_used_at', 'attributes']],
] as const;

describe.each(pairs)('%s normaliser', (_name, schema, normalize, keys) => {
  it('agrees with the zod schema on arbitrary records', () => {
    fc.assert(fc.property(fc.record(Object.fromEntries(keys.map((k) => [k, value])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] }), (rec) => {
      const clean = Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined));
      const z = schema.safeParse(clean);
      const n = normalize(clean);
      expect(n.ok, JSON.stringify(clean)).toBe(z.success);
      if (z.success && n.ok) expect(n.value).toEqual(z.data);
    }), { numRuns: 3000 });
  });

  it('accepts a typical valid record exactly as zod does', () => {
    const base = { ref: 'r', kind: _name === 'identity' ? 'user' : 'access_key', name: 'n', identity_ref: 'i', resource_ref: 'x', permission: 'read', level: 'read', created_at: new Date(0) };
    const z = schema.safeParse(base);
    const n = normalize(base);
    expect(z.success).toBe(true);
    expect(n).toEqual({ ok: true, value: z.data });
  });
});
