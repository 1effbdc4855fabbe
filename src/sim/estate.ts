// A seeded synthetic estate of any size, in canonical form: identities, their credentials and entitlements, and the
// grants that approve (most of) them — a share by glob, a share expired. Streams, so a million records cost no memory.
import { rng } from './http.js';
import type { CredentialInput, EntitlementInput, IdentityInput, Level } from '../model/index.js';

export interface EstateSpec {
  seed: number;
  identities: number;
  credentialsPerIdentity: number;
  entitlementsPerIdentity: number;
  /** Share of entitlements covered by an exact grant. */
  grantedShare: number;
  /** Number of glob grants (each covering a family of identities). */
  globGrants: number;
  /** Share of grants that have expired. */
  expiredShare: number;
  tenants: number;
  now?: Date;
}

export const DEFAULT_SPEC: EstateSpec = { seed: 42, identities: 1000, credentialsPerIdentity: 1, entitlementsPerIdentity: 3, grantedShare: 0.3, globGrants: 20, expiredShare: 0.1, tenants: 4 };

const LEVELS: Level[] = ['read', 'read', 'read', 'write', 'write', 'admin'];
const DAY = 86_400_000;

export type EstateRecord =
  | { type: 'identity'; tenant: string; record: IdentityInput }
  | { type: 'credential'; tenant: string; record: CredentialInput }
  | { type: 'entitlement'; tenant: string; record: EntitlementInput };

export function tenantName(i: number): string { return `tenant-${String(i).padStart(3, '0')}`; }

/** The identity's family (what glob grants match): fam-<n>-… */
function family(i: number, globGrants: number): number { return globGrants ? i % (globGrants * 5) : 0; }

export function* estateRecords(spec: EstateSpec, onlyTenant?: string): Generator<EstateRecord> {
  const r = rng(spec.seed);
  const now = (spec.now ?? new Date('2026-06-01T00:00:00Z')).getTime();
  for (let i = 0; i < spec.identities; i++) {
    const tenant = tenantName(i % spec.tenants);
    const name = `fam-${family(i, spec.globGrants)}-svc-${i}`;
    const ref = `synthetic:${tenant}/sa/${name}`;
    const created = new Date(now - Math.floor(r() * 1500) * DAY);
    const lastUsed = r() < 0.1 ? null : new Date(now - Math.floor(r() * 200) * DAY);
    if (onlyTenant && tenant !== onlyTenant) { for (let k = 0; k < 3 + spec.credentialsPerIdentity * 3 + spec.entitlementsPerIdentity * 2; k++) r(); continue; }
    yield { type: 'identity', tenant, record: { ref, kind: 'service_account', name, human: false, owner: r() < 0.8 ? `person-${i % 500}` : null, created_at: created, last_used_at: lastUsed } };
    for (let c = 0; c < spec.credentialsPerIdentity; c++) {
      const cCreated = new Date(now - Math.floor(r() * 800) * DAY);
      yield { type: 'credential', tenant, record: {
        ref: `${ref}/key/${c}`, kind: 'sa_key', name: `${name}-key-${c}`, identity_ref: ref, created_at: cCreated,
        last_used_at: r() < 0.2 ? null : new Date(now - Math.floor(r() * 300) * DAY), expires_at: r() < 0.5 ? null : new Date(now + Math.floor(r() * 900) * DAY),
      } };
    }
    for (let e = 0; e < spec.entitlementsPerIdentity; e++) {
      const level = LEVELS[Math.floor(r() * LEVELS.length)]!;
      const resource = `synthetic:${tenant}/resource/${(i * 7 + e) % 997}`;
      yield { type: 'entitlement', tenant, record: {
        ref: `${ref}|${resource}|${level}`, identity_ref: ref, identity_name: name, resource_ref: resource, permission: level, level,
        privileged: level === 'admin', last_used_at: lastUsed,
      } };
    }
  }
}

export interface GrantRow { id: string; provider: string; tenant: string; identity: string; resource: string; permission: string; max_level: Level; expires_at: string | null }

/** Grants for the estate: exact ones for `grantedShare` of entitlements, plus `globGrants` family globs. */
export function* estateGrants(spec: EstateSpec, provider = 'synthetic'): Generator<GrantRow> {
  const r = rng(spec.seed + 1);
  const now = (spec.now ?? new Date('2026-06-01T00:00:00Z')).getTime();
  const expiry = () => (r() < spec.expiredShare ? new Date(now - Math.floor(1 + r() * 300) * DAY) : new Date(now + Math.floor(1 + r() * 300) * DAY)).toISOString();
  let n = 0;
  for (let i = 0; i < spec.identities; i++) {
    const tenant = tenantName(i % spec.tenants);
    const name = `fam-${family(i, spec.globGrants)}-svc-${i}`;
    for (let e = 0; e < spec.entitlementsPerIdentity; e++) {
      if (r() >= spec.grantedShare) continue;
      const resource = `synthetic:${tenant}/resource/${(i * 7 + e) % 997}`;
      yield { id: `G${++n}`, provider, tenant, identity: `synthetic:${tenant}/sa/${name}`, resource, permission: '*', max_level: 'admin', expires_at: expiry() };
    }
  }
  for (let g = 0; g < spec.globGrants; g++) {
    yield { id: `GLOB${g}`, provider, tenant: '*', identity: `fam-${g}-svc-*`, resource: 'synthetic:*', permission: '*', max_level: 'write', expires_at: expiry() };
  }
}
