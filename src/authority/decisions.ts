// Review decisions as authoritative records (#18). `nhi-recon review apply` appends validated decisions to a log
// (NDJSON, authority.decisions); the loader turns the latest decision per access item into records — never editing
// the user's grant files:
//   certify / extend-until → an approved grant (provenance review, last_reviewed, reviewer, owner's team then);
//   transfer-to            → an owner record for the new owner and a draft grant the new owner must review;
//   revoke                 → no grant, and the exact grants that covered the item are left out, so the access is
//                            reported as ungranted next run and the usual plan/apply rails remove it.
import { z } from 'zod';
import { LEVELS, LooseDate } from '../model/index.js';
import type { Grant, Owner, Sourced } from './index.js';

const Str = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().trim().min(1));
const OptStr = z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'number' ? String(v) : v), z.string().trim().min(1).optional());
const OptDate = z.preprocess((v) => (v === '' ? null : v), LooseDate.optional().transform((v) => v ?? null));
const Ids = z.preprocess((v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v ?? []), z.array(z.string().min(1)));

export const DECISIONS = ['certify', 'revoke', 'transfer-to', 'extend-until'] as const;

/** One row of a decisions file as the owner fills it in (the template `review open` writes). */
export const DecisionRow = z.strictObject({
  item: Str, run_id: OptStr, provider: OptStr, tenant: OptStr, identity: OptStr, identity_name: OptStr, resource: OptStr, permission: OptStr,
  level: OptStr, grant_ids: Ids.optional(), owner: OptStr,
  decision: z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(DECISIONS).optional()),
  until: OptDate, transfer_to: OptStr, reviewer: OptStr, date: OptDate, comment: OptStr,
});
export type DecisionRow = z.infer<typeof DecisionRow>;

/** One entry of the decisions log: the decision with the item's facts taken from the run, and the resulting expiry. */
export const DecisionRecord = z.strictObject({
  item: Str, decision: z.enum(DECISIONS), run_id: Str,
  provider: Str, tenant: Str, identity: Str, resource: Str, permission: Str, level: z.enum(LEVELS),
  grant_ids: Ids.default([]), owner: OptStr, owner_team: OptStr, transfer_to: OptStr,
  reviewer: Str, date: LooseDate.refine((d) => d !== null, { message: 'is required' }), expires_at: OptDate, comment: OptStr,
  source_file: OptStr, source_line: z.number().int().optional(),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

export interface DecisionOutcome {
  grants: Sourced<Grant & { id: string }>[];
  owners: Sourced<Owner>[];
  /** Exact grant ids a revocation withdraws. */
  revoked: Set<string>;
}

/** The latest decision per item wins (log order breaks ties: the log is append-only). */
export function decisionsToRecords(entries: Sourced<DecisionRecord>[]): DecisionOutcome {
  const latest = new Map<string, Sourced<DecisionRecord>>();
  for (const e of entries) {
    const prev = latest.get(e.value.item);
    if (!prev || e.value.date!.getTime() >= prev.value.date!.getTime()) latest.set(e.value.item, e);
  }
  const out: DecisionOutcome = { grants: [], owners: [], revoked: new Set() };
  for (const { file, line, value: d } of latest.values()) {
    const provenance = { signal: 'review', file, address: `${d.item} (${d.decision} by ${d.reviewer})` };
    const base = {
      id: `review-${d.item}`, provider: d.provider, tenant: d.tenant, identity: d.identity, resource: d.resource, permission: d.permission,
      max_level: d.level === 'none' ? undefined : d.level, approver: d.reviewer, ticket: undefined, granted_at: d.date, expires_at: d.expires_at,
      justification: d.comment, provenance, reviewer: d.reviewer,
    };
    if (d.decision === 'revoke') {
      for (const id of d.grant_ids) out.revoked.add(id);
    } else if (d.decision === 'transfer-to') {
      out.owners.push({ file, line, value: { provider: d.provider, tenant: d.tenant, identity: d.identity, owner: d.transfer_to!, note: `transferred by ${d.reviewer} (${d.item})` } });
      out.grants.push({ file, line, value: { ...base, owner: d.transfer_to, status: 'draft', last_reviewed: null, owner_team: undefined } });
    } else {
      out.grants.push({ file, line, value: { ...base, owner: d.owner, status: 'approved', last_reviewed: d.date, owner_team: d.owner_team } });
    }
  }
  return out;
}
