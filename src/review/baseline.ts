// `nhi-recon baseline`: draft authoritative records from what a reconciled run saw, so that adopting the tool starts
// with a review list (unreviewed-grant) instead of every entitlement reported ungranted. Drafts never approve
// anything: they are proposals an owner certifies or revokes through `review`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import { evidenceRun, identityKey, identityOwners, partialTenants, shortHash } from './common.js';

export const BASELINE_FILES = { grants: 'grants.draft.yaml', owners: 'owners.draft.yaml', integrations: 'integrations.draft.yaml' } as const;

export interface BaselineOptions { outDir: string; run?: string; force?: boolean; allowPartial?: boolean; draftGrantDays: number; now?: Date }
export interface BaselineResult { runId: string; files: string[]; grants: number; owners: number; integrations: number; partial: number }

interface EntRow { source: string; provider: string; tenant: string; identity_ref: string; identity_name: string | null; resource_ref: string; permission: string; level: string; human: boolean | null }

export async function writeBaseline(store: Store, opts: BaselineOptions): Promise<BaselineResult> {
  const now = opts.now ?? new Date();
  const run = await evidenceRun(store, opts.run, 'draft a baseline');
  const partial = await partialTenants(store, run.run_id);
  if (partial.size && !opts.allowPartial) {
    const list = [...partial].map((k) => k.replace('\u0000', '/')).join(', ');
    throw new UserError(`run #${run.seq} (${run.run_id}) did not collect every tenant completely (${list}): a baseline from it would miss access. Re-run \`nhi-recon scan\`, or give --allow-partial (those drafts are marked partial)`);
  }
  const targets = Object.values(BASELINE_FILES).map((f) => join(opts.outDir, f));
  const existing = targets.filter((f) => existsSync(f));
  if (existing.length && !opts.force) throw new UserError(`baseline does not overwrite ${existing.join(', ')}: choose another --out folder, or give --force`);

  // Exactly the access the run found unapproved (ungranted, or known only from a draft): approved access needs no draft.
  const ents = await store.all<EntRow & Record<string, unknown>>(`
    SELECT DISTINCT e.source, e.provider, e.tenant, e.identity_ref, e.identity_name, e.resource_ref, e.permission, e.level, i.human
    FROM findings f
    JOIN entitlements e ON e.run_id = f.run_id AND e.source = f.source AND e.tenant = f.tenant AND e.ref = f.subject_ref
    LEFT JOIN identities i ON i.run_id = e.run_id AND i.source = e.source AND i.tenant = e.tenant AND i.ref = e.identity_ref
    WHERE f.run_id = $1 AND f.rule_id IN ('ungranted-access', 'unreviewed-grant') AND f.status <> 'resolved' AND e.level <> 'none'
    ORDER BY e.provider, e.tenant, e.identity_ref, e.resource_ref, e.permission`, [run.run_id]);
  const owners = await identityOwners(store, run.run_id);
  const expires = new Date(now.getTime() + opts.draftGrantDays * 86_400_000).toISOString().slice(0, 10);
  const drafted = now.toISOString().slice(0, 10);
  let nPartial = 0;
  const seen = new Set<string>();
  const grants = ents.filter((e) => {
    // The same access seen by two sources is one grant.
    const k = `${e.provider}\u0000${e.tenant}\u0000${e.identity_ref}\u0000${e.resource_ref}\u0000${e.permission}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).map((e) => {
    const o = owners.get(identityKey(e.source, e.tenant, e.identity_ref));
    const isPartial = partial.has(`${e.source}\u0000${e.tenant}`);
    if (isPartial) nPartial++;
    return {
      id: `draft-${shortHash(e.provider, e.tenant, e.identity_ref, e.resource_ref, e.permission)}`,
      status: 'draft', provider: e.provider, tenant: e.tenant, identity: e.identity_ref, resource: e.resource_ref, permission: e.permission,
      max_level: e.level, ...(o?.owner ? { owner: o.person_id ?? o.owner } : {}),
      granted_at: drafted, expires_at: expires,
      justification: `observed in run ${run.run_id}${e.identity_name ? ` (${e.identity_name})` : ''}`,
      provenance: { signal: o?.signal ?? 'observed', run_id: run.run_id, ...(isPartial ? { partial: true } : {}) },
    };
  });

  // Owner drafts for non-human identities that have no owner record yet but a signal names one.
  const ownerRows = await store.all<{ source: string; provider: string; tenant: string; ref: string; name: string | null } & Record<string, unknown>>(`
    SELECT source, provider, tenant, ref, name FROM identities WHERE run_id = $1 AND human IS NOT TRUE AND kind NOT IN ('group', 'team', 'public', 'user')
      AND NOT coalesce(provider_managed, false) ORDER BY provider, tenant, ref`, [run.run_id]);
  const ownerDrafts = ownerRows.flatMap((i) => {
    const o = owners.get(identityKey(i.source, i.tenant, i.ref));
    if (!o?.owner || o.signal === 'owner_record') return [];
    return [{ provider: i.provider, tenant: i.tenant, identity: i.ref, owner: o.person_id ?? o.owner,
      note: `draft from ${o.signal}${o.person_id ? '' : ' (not in the people directory)'}${partial.has(`${i.source}\u0000${i.tenant}`) ? '; partial collection' : ''}` }];
  });

  // The integration register: every integration the run saw, its observed scopes as the approved ones (a proposal).
  const integ = await store.all<{ source: string; provider: string; tenant: string; ref: string; name: string | null; app_id: string; scopes: string[]; max_rank: number } & Record<string, unknown>>(`
    SELECT i.source, i.provider, i.tenant, i.ref, i.name, i.attributes->>'$.integration.app_id' AS app_id,
      coalesce(list(DISTINCT e.permission ORDER BY e.permission) FILTER (WHERE e.permission IS NOT NULL), []) AS scopes,
      coalesce(max(CASE e.level WHEN 'owner' THEN 4 WHEN 'admin' THEN 3 WHEN 'write' THEN 2 WHEN 'read' THEN 1 ELSE 0 END), 0)::INTEGER AS max_rank
    FROM identities i LEFT JOIN entitlements e ON e.run_id = i.run_id AND e.source = i.source AND e.tenant = i.tenant AND e.identity_ref = i.ref
    WHERE i.run_id = $1 AND json_exists(i.attributes, '$.integration') GROUP BY ALL ORDER BY i.provider, i.tenant, app_id`, [run.run_id]);
  const levels = ['none', 'read', 'write', 'admin', 'owner'];
  const integrations = integ.map((r) => {
    const o = owners.get(identityKey(r.source, r.tenant, r.ref));
    return {
      provider: r.provider, tenant: r.tenant, app_id: r.app_id, ...(r.name ? { name: r.name } : {}), approved_scopes: r.scopes,
      ...(r.max_rank > 0 ? { max_level: levels[r.max_rank] } : {}), ...(o?.owner ? { owner: o.person_id ?? o.owner } : {}),
      expires_at: expires, justification: `draft from run ${run.run_id} (owner signal: ${o?.signal ?? 'none'})`,
    };
  });

  mkdirSync(opts.outDir, { recursive: true });
  const header = (what: string, how: string) => [
    `# DRAFT ${what} written by \`nhi-recon baseline\` on ${now.toISOString()} from run #${run.seq} (${run.run_id}).`,
    `# Nothing here has been reviewed. ${how}`,
    '# Regenerate with `nhi-recon baseline --out DIR --force`; review with `nhi-recon review open` / `review apply`.',
    '',
  ].join('\n');
  writeFileSync(targets[0]!, header('grants', `Every grant is status: draft (reported as unreviewed-grant, never counted as approval) and expires on ${expires} (policy.draft_grant_days); provenance names the owner signal.`)
    + stringify({ grants }));
  writeFileSync(targets[1]!, header('owner records', 'Each owner was inferred from the signal named in its note (tags/labels, app owners, creators, the login map).')
    + stringify({ owners: ownerDrafts }));
  writeFileSync(targets[2]!, header('integration register', 'Each entry proposes the scopes the integration holds today as its approved scopes.')
    + stringify({ integrations }));
  return { runId: run.run_id, files: targets, grants: grants.length, owners: ownerDrafts.length, integrations: integrations.length, partial: nPartial };
}
