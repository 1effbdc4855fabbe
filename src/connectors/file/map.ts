// Column mapping of the file connector: a row's columns are the canonical field names (see readme.md). Values are
// coerced from their text forms (CSV has only strings); columns the model does not know land in `attributes`.
import { Credential, Entitlement, Identity, parseDate, type CredentialInput, type EntitlementInput, type IdentityInput } from '../../model/index.js';
import { parseBool, type SourcedRecord } from '../../io/records.js';
import { InputError, type InputIssue } from '../../errors.js';

export type RecordType = 'identity' | 'credential' | 'entitlement';

export const REQUIRED_COLUMNS: Record<RecordType, string[]> = {
  identity: ['ref', 'kind'],
  credential: ['ref', 'kind'],
  entitlement: ['identity_ref', 'resource_ref', 'permission', 'level'],
};

const SCHEMAS = { identity: Identity, credential: Credential, entitlement: Entitlement } as const;
const DATE_FIELDS = new Set(['created_at', 'last_used_at', 'expires_at', 'last_rotated_at']);
const BOOL_FIELDS = new Set(['human', 'disabled', 'privileged', 'last_used_known', 'expiry_supported']);
const META_FIELDS = new Set(['record_type', 'tenant']);

export function recordTypeOf(rec: SourcedRecord): RecordType {
  const t = String(rec.value.record_type ?? '').toLowerCase().replace(/s$/, '').replace(/ie$/, 'y');
  if (t === 'identity' || t === 'credential' || t === 'entitlement') return t;
  throw new InputError([{ file: rec.file, line: rec.line, field: 'record_type', message: `expected identity, credential or entitlement, got ${JSON.stringify(rec.value.record_type ?? null)}` }]);
}

export type Mapped =
  | { ok: true; type: 'identity'; record: IdentityInput }
  | { ok: true; type: 'credential'; record: CredentialInput }
  | { ok: true; type: 'entitlement'; record: EntitlementInput }
  | { ok: false; issues: InputIssue[] };

export function mapRecord(rec: SourcedRecord & { type: RecordType }): Mapped {
  const schema = SCHEMAS[rec.type];
  const known = new Set(Object.keys(schema.shape));
  const issues: InputIssue[] = [];
  const out: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec.value)) {
    if (v === undefined || META_FIELDS.has(k)) continue;
    if (!known.has(k)) { attributes[k] = v; continue; }
    if (DATE_FIELDS.has(k)) {
      const d = parseDate(v);
      if (d === 'invalid') issues.push({ file: rec.file, line: rec.line, field: k, message: `not a valid date: ${JSON.stringify(v)}` });
      else out[k] = d;
    } else if (BOOL_FIELDS.has(k)) {
      const b = parseBool(v);
      if (b === 'invalid') issues.push({ file: rec.file, line: rec.line, field: k, message: `expected true or false, got ${JSON.stringify(v)}` });
      else if (b !== null || k === 'human') out[k] = b;
    } else if (k === 'attributes' && typeof v === 'string') {
      try { Object.assign(attributes, JSON.parse(v)); } catch { issues.push({ file: rec.file, line: rec.line, field: k, message: 'expected a JSON object' }); }
    } else if (k === 'attributes' && typeof v === 'object') {
      Object.assign(attributes, v);
    } else out[k] = typeof v === 'number' ? String(v) : v;
  }
  if (rec.type === 'entitlement' && out.ref === undefined && typeof out.identity_ref === 'string') {
    // Entitlements have no natural id in most exports: derive a stable one from what makes them unique.
    out.ref = `${String(out.identity_ref)}|${String(out.resource_ref)}|${String(out.permission)}`;
  }
  if (rec.type !== 'entitlement' && out.name === undefined && typeof out.ref === 'string') out.name = out.ref;
  if (Object.keys(attributes).length) out.attributes = attributes;
  if (issues.length) return { ok: false, issues };
  const parsed = schema.safeParse(out);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => ({ file: rec.file, line: rec.line, field: i.path.join('.'), message: i.message })) };
  }
  return { ok: true, type: rec.type, record: out } as Mapped;
}
