// The hot path's record check: the same rules and defaults as the zod schemas in index.ts, without zod's per-record
// allocations (the connector → store path must sustain ≥ 100k rows/s). test/model/normalize.test.ts proves that both
// agree on valid records and on what they reject.
import { CREDENTIAL_KINDS, IDENTITY_KINDS, LEVELS, type Credential, type Entitlement, type Identity } from './index.js';

type Spec = Record<string, readonly [kind: 'str' | 'strAny' | 'strOpt' | 'bool' | 'boolOpt' | 'date' | 'enum' | 'attrs', dflt: unknown, values?: ReadonlySet<string>]>;

const IDK = new Set<string>(IDENTITY_KINDS);
const CRK = new Set<string>(CREDENTIAL_KINDS);
const LVL = new Set<string>(LEVELS);
const STATUS = new Set(['active', 'inactive', 'expired', 'revoked']);
const VIA = new Set(['direct', 'group', 'team', 'inherited', 'role', 'policy']);
const OWNER_SRC = new Set(['owner_record', 'provider', 'tag', 'creator', 'codeowners', 'login_mapping']);

const IDENTITY: Spec = {
  ref: ['str', undefined], kind: ['enum', undefined, IDK], name: ['strAny', undefined], login: ['strOpt', null], human: ['boolOpt', null],
  owner: ['strOpt', null], owner_source: ['enum', null, OWNER_SRC], created_at: ['date', null], last_used_at: ['date', null],
  last_used_known: ['bool', true], disabled: ['bool', false], attributes: ['attrs', null], provider_managed: ['bool', false],
};
const CREDENTIAL: Spec = {
  ref: ['str', undefined], kind: ['enum', undefined, CRK], name: ['strAny', undefined], identity_ref: ['strOpt', null], created_by: ['strOpt', null],
  owner: ['strOpt', null], created_at: ['date', null], last_used_at: ['date', null], last_used_known: ['bool', true], expires_at: ['date', null],
  expiry_supported: ['bool', true], last_rotated_at: ['date', null], status: ['enum', 'active', STATUS], leak_signal: ['strOpt', null],
  fingerprint: ['strOpt', null], attributes: ['attrs', null], standby: ['bool', false],
};
const ENTITLEMENT: Spec = {
  ref: ['str', undefined], identity_ref: ['str', undefined], identity_name: ['strOpt', null], resource_ref: ['str', undefined],
  permission: ['str', undefined], level: ['enum', undefined, LVL], privileged: ['bool', false], via: ['enum', 'direct', VIA], path: ['strOpt', null],
  expires_at: ['date', null], last_used_at: ['date', null], attributes: ['attrs', null],
};

export type Normalized<T> = { ok: true; value: T } | { ok: false; error: string };

function normalize<T>(spec: Spec, rec: unknown): Normalized<T> {
  if (!rec || typeof rec !== 'object') return { ok: false, error: 'not an object' };
  const r = rec as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // Unknown keys are dropped, as zod's object schemas do.
  for (const key in spec) {
    const [kind, dflt, values] = spec[key]!;
    const v = r[key];
    if (v === undefined) {
      if (dflt === undefined) return { ok: false, error: `${key}: required` };
      out[key] = dflt;
      continue;
    }
    switch (kind) {
      case 'str': if (typeof v !== 'string' || v.length === 0) return { ok: false, error: `${key}: expected a non-empty string` }; break;
      case 'strAny': if (typeof v !== 'string') return { ok: false, error: `${key}: expected a string` }; break;
      case 'strOpt': if (v !== null && typeof v !== 'string') return { ok: false, error: `${key}: expected a string or null` }; break;
      case 'bool': if (typeof v !== 'boolean') return { ok: false, error: `${key}: expected a boolean` }; break;
      case 'boolOpt': if (v !== null && typeof v !== 'boolean') return { ok: false, error: `${key}: expected a boolean or null` }; break;
      case 'date':
        if (v !== null && (!(v instanceof Date) || Number.isNaN(v.getTime()))) return { ok: false, error: `${key}: expected a valid Date or null` };
        break;
      case 'enum':
        if (v === null && dflt === null) break;
        if (typeof v !== 'string' || !values!.has(v)) return { ok: false, error: `${key}: expected one of ${[...values!].join(', ')}` };
        break;
      case 'attrs':
        if (v !== null && (typeof v !== 'object' || Array.isArray(v))) return { ok: false, error: `${key}: expected an object or null` };
        break;
    }
    out[key] = v;
  }
  return { ok: true, value: out as T };
}

export const normalizeIdentity = (rec: unknown) => normalize<Identity>(IDENTITY, rec);
export const normalizeCredential = (rec: unknown) => normalize<Credential>(CREDENTIAL, rec);
export const normalizeEntitlement = (rec: unknown) => normalize<Entitlement>(ENTITLEMENT, rec);
