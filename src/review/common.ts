// Shared by baseline and review: the evidence run to read, owner signals, and safe text output (CSV cells).
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.js';
import { incompleteTenants, latestRun, requireEvidence, resolveRun, type RunRow } from '../store/runs.js';
import { UserError } from '../errors.js';
import { visible } from '../reports/escape.js';

/** The run to read: a given reference, or the latest reconciled run; refused unless it is evidence. */
export async function evidenceRun(store: Store, ref: string | undefined, use: string): Promise<RunRow> {
  const run = ref ? await resolveRun(store, ref) : await latestRun(store, { reconciled: true });
  if (!run) throw new UserError(ref ? `run ${ref} does not exist` : 'no reconciled run: run `nhi-recon scan` first');
  return requireEvidence(run, use);
}

export async function partialTenants(store: Store, runId: string): Promise<Set<string>> {
  return new Set((await incompleteTenants(store, runId)).map((t) => `${t.source}\u0000${t.tenant}`));
}

export const shortHash = (...parts: (string | null | undefined)[]) =>
  createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 12);

/** One CSV cell: visible control characters, quoted, and a leading formula character neutralised for spreadsheets. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  s = visible(s);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: unknown[]) => cells.map(csvCell).join(',');

export interface IdentityOwner {
  source: string; tenant: string; ref: string; provider: string;
  /** The owner string as the signal gave it, and the person it resolves to (null: unknown to the directory). */
  owner: string | null; person_id: string | null;
  /** owner_record | tag | label | app_owner | creator | created_by | login_map | … */
  signal: string | null;
}

/**
 * The best owner signal for every identity of a run: an owner record of the authority snapshot, else the owner the
 * provider records (tags, labels, Entra app owners, deploy-key creators), else the person who created most of its
 * credentials (created_by / added_by), else — for a person's own account — the directory's login map.
 */
export async function identityOwners(store: Store, runId: string, authorityRunId = runId): Promise<Map<string, IdentityOwner>> {
  const rows = await store.all<IdentityOwner & Record<string, unknown>>(`
    WITH rec AS (
      SELECT i.source, i.tenant, i.ref, min(o.owner) AS owner, count(DISTINCT o.owner) AS n
      FROM identities i JOIN owners o ON o.run_id = $2 AND o.provider = i.provider AND (o.tenant = '*' OR o.tenant = i.tenant) AND (o.identity = i.ref OR o.identity = i.name)
      WHERE i.run_id = $1 GROUP BY ALL),
    creators AS (
      SELECT source, tenant, identity_ref, arg_max(created_by, n) AS created_by FROM (
        SELECT source, tenant, identity_ref, created_by, count(*) AS n FROM credentials
        WHERE run_id = $1 AND created_by IS NOT NULL AND identity_ref IS NOT NULL GROUP BY ALL) GROUP BY ALL),
    logins AS (SELECT DISTINCT ON (provider, login) provider, login, person_id FROM person_logins WHERE run_id = $2),
    pick AS (
      SELECT i.source, i.tenant, i.ref, i.provider,
        CASE WHEN r.n = 1 THEN r.owner WHEN i.owner IS NOT NULL THEN i.owner WHEN c.created_by IS NOT NULL THEN c.created_by WHEN lm.person_id IS NOT NULL AND i.human THEN lm.person_id END AS owner,
        CASE WHEN r.n = 1 THEN 'owner_record' WHEN i.owner IS NOT NULL THEN coalesce(i.owner_source, 'provider') WHEN c.created_by IS NOT NULL THEN 'created_by'
             WHEN lm.person_id IS NOT NULL AND i.human THEN 'login_map' END AS signal
      FROM identities i
      LEFT JOIN rec r ON r.source = i.source AND r.tenant = i.tenant AND r.ref = i.ref
      LEFT JOIN creators c ON c.source = i.source AND c.tenant = i.tenant AND c.identity_ref = i.ref
      LEFT JOIN logins lm ON lm.provider = i.provider AND (lm.login = i.login OR lm.login = i.name)
      WHERE i.run_id = $1)
    SELECT p.*, coalesce(p1.person_id, p2.person_id, p3.person_id) AS person_id
    FROM pick p
    LEFT JOIN (SELECT person_id FROM people WHERE run_id = $2) p1 ON p1.person_id = p.owner
    LEFT JOIN (SELECT DISTINCT ON (lower(email)) person_id, lower(email) AS email FROM people WHERE run_id = $2 AND email IS NOT NULL) p2 ON p2.email = lower(p.owner)
    LEFT JOIN logins p3 ON p3.provider = p.provider AND p3.login = p.owner`, [runId, authorityRunId]);
  return new Map(rows.map((r) => [`${r.source}\u0000${r.tenant}\u0000${r.ref}`, r]));
}

export const identityKey = (source: string, tenant: string, ref: string) => `${source}\u0000${tenant}\u0000${ref}`;
