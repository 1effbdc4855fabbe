// Domain-wide delegation grants, from an export of the Admin console (Security → API controls → Domain-wide
// delegation). The Admin SDK has no method that lists them (directory_v1 has no such resource), so this part of the
// estate is what the organisation exported, not an API read; every error names the file, line and field.
import { z } from 'zod';
import { readRecords } from '../../io/records.js';
import { InputError, type InputIssue } from '../../errors.js';
import type { DelegationGrant } from './map.js';

const Scopes = z.union([z.string(), z.array(z.string()), z.null()]).optional()
  .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean));

const ClientId = z.union([z.string(), z.number(), z.null()]).optional().transform((v, c) => {
  // YAML reads an unquoted 21-digit service-account client id as a number and drops its last digits.
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    c.addIssue({ code: 'custom', message: 'is a number too large to keep exactly: quote the client id' });
    return z.NEVER;
  }
  return v === null || v === undefined ? '' : String(v).trim();
});

const Row = z.object({
  client_id: ClientId.pipe(z.string().min(1, 'is empty')),
  scopes: Scopes.pipe(z.array(z.string()).min(1, 'lists no scope')),
  name: z.string().nullish().transform((v) => (v ? v.trim() || null : null)),
  service_account: z.union([z.email('is not a service-account email'), z.literal(''), z.null()]).optional().transform((v) => v || null),
  customer: z.union([z.string().regex(/^C[0-9a-z]+$/, 'is not a customer id (C0…)'), z.literal(''), z.null()]).optional().transform((v) => v || null),
}).loose();

/**
 * The grants of a file. Each Workspace customer has its own delegation page: with several tenants every row must name
 * its `customer`, or a grant of one customer would be reported for all of them.
 */
export async function loadDelegations(file: string, tenants: readonly string[] = []): Promise<DelegationGrant[]> {
  const out: DelegationGrant[] = [];
  const issues: InputIssue[] = [];
  const seen = new Map<string, number>();
  for await (const rec of readRecords(file, { key: 'domain_wide_delegation', requiredColumns: ['client_id', 'scopes'] })) {
    const r = Row.safeParse(rec.value);
    if (!r.success) {
      for (const i of r.error.issues) issues.push({ file, line: rec.line, field: i.path.join('.') || undefined, message: i.message });
      continue;
    }
    const key = `${r.data.customer ?? ''} ${r.data.client_id}`;
    const prev = seen.get(key);
    if (prev !== undefined) { issues.push({ file, line: rec.line, field: 'client_id', message: `client ${r.data.client_id} is already listed on line ${prev}: give each client once, with all its scopes` }); continue; }
    seen.set(key, rec.line);
    out.push({ clientId: r.data.client_id, scopes: [...new Set(r.data.scopes)], name: r.data.name, serviceAccount: r.data.service_account, customer: r.data.customer, file, line: rec.line });
  }
  if (tenants.length > 1) {
    for (const g of out) if (!g.customer) issues.push({ file, line: g.line, field: 'customer', message: `the source collects ${tenants.length} customers: name the customer this grant belongs to` });
  }
  if (issues.length) throw new InputError(issues);
  return out;
}
