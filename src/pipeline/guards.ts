// Absence that is not evidence. A provider answering 200 with empty (or far shorter) lists, or a grant file that
// suddenly holds nothing, would otherwise read as "everything was removed" (findings resolved) or "nothing was approved"
// (everything ungranted, and remediation planned against it). Both are held until a person accepts them.
import { userInfo } from 'node:os';
import type { LoadedConfig } from '../config/load.js';
import type { Authority } from '../authority/index.js';
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import type { TenantOutcome } from './collect.js';

export interface GuardDecision {
  guard: 'collection' | 'authority';
  decision: 'suspect' | 'accepted';
  source: string | null; provider: string | null; tenant: string | null;
  collection: string; kind: string | null; file: string | null;
  baseline_run_id: string | null; baseline: number | null; current: number;
  reason: string; accepted_by: string | null; accepted_via: string | null; decided_at: Date;
}

export interface GuardOptions {
  /** Tenants (TENANT or SOURCE/TENANT) whose drop a person accepts for this run (`--accept-drop`). */
  acceptDrop?: string[];
  /** Accept an empty or shrunken grant set for this run (`--accept-authority-drop`). */
  acceptAuthorityDrop?: boolean;
  /** Who accepts: recorded with the decision (default: the OS user). */
  actor?: string;
  now?: Date;
}

export function actorName(actor?: string): string {
  if (actor) return actor;
  try { return userInfo().username; } catch { return process.env.USER ?? 'unknown'; }
}

const COLLECTIONS = ['identities', 'credentials', 'entitlements'] as const;

type Count = { collection: string; kind: string | null; n: number } & Record<string, unknown>;

/** What one drop looks like in a sentence: `identities: 20 → 2 (-90%)`, `credentials deploy_key: 6 → 0 (now empty)`. */
export function describeDrop(collection: string, kind: string | null, baseline: number, current: number): string {
  const change = current === 0 ? 'now empty' : `-${Math.round(((baseline - current) / baseline) * 100)}%`;
  return `${collection}${kind ? ` ${kind}` : ''}: ${baseline} → ${current} (${change})`;
}

function isDrop(baseline: number, current: number, maxDrop: number, minCount: number): boolean {
  return baseline >= minCount && baseline > current && (baseline - current) / baseline > maxDrop;
}

/**
 * After a run's records are written (inside its transaction): record each tenant's counts, and mark a complete tenant
 * `suspect` when a collection, or a kind within it, fell beyond the threshold against the tenant's last complete
 * collection — unless a person accepted the drop. Mutates the outcomes; returns the decisions to record.
 */
export async function judgeCollections(store: Store, loaded: LoadedConfig, runId: string, outcomes: TenantOutcome[], opts: GuardOptions = {}): Promise<GuardDecision[]> {
  const cfg = loaded.config.guards;
  const now = opts.now ?? new Date();
  await store.run(`INSERT INTO collection_counts
    ${COLLECTIONS.map((c) => `SELECT run_id, source, tenant, '${c}', NULL, count(*) FROM ${c} WHERE run_id = $1 GROUP BY ALL
      ${c === 'entitlements' ? '' : `UNION ALL SELECT run_id, source, tenant, '${c}', kind, count(*) FROM ${c} WHERE run_id = $1 GROUP BY ALL`}`).join(' UNION ALL ')}`, [runId]);
  if (!cfg.collection.enabled) return [];
  const decisions: GuardDecision[] = [];
  for (const o of outcomes) {
    if (o.status !== 'complete') continue; // already incomplete: never resolves, never acted on
    // The baseline is the last collection of this tenant that was complete (an accepted drop made it complete).
    const base = await store.one<{ run_id: string }>(`SELECT s.run_id FROM source_runs s JOIN runs r USING (run_id)
      WHERE s.source = $1 AND s.tenant = $2 AND s.status = 'complete' AND r.run_id <> $3 AND r.status IN ('complete', 'partial')
      ORDER BY r.seq DESC LIMIT 1`, [o.source, o.tenant, runId]);
    if (!base) continue; // a tenant's first collection has nothing to be compared with
    const counts = async (run: string) => new Map((await store.all<Count>(
      `SELECT collection, kind, n::INTEGER AS n FROM collection_counts WHERE run_id = $1 AND source = $2 AND tenant = $3`, [run, o.source, o.tenant]))
      .map((c) => [`${c.collection}\u0000${c.kind ?? ''}`, c]));
    const before = await counts(base.run_id);
    const after = await counts(runId);
    const drops: GuardDecision[] = [];
    for (const [key, b] of before) {
      const current = after.get(key)?.n ?? 0;
      if (!isDrop(b.n, current, cfg.collection.max_drop, cfg.collection.min_count)) continue;
      drops.push({
        guard: 'collection', decision: 'suspect', source: o.source, provider: o.provider, tenant: o.tenant, collection: b.collection, kind: b.kind, file: null,
        baseline_run_id: base.run_id, baseline: b.n, current, reason: describeDrop(b.collection, b.kind, b.n, current), accepted_by: null, accepted_via: null, decided_at: now,
      });
    }
    if (!drops.length) continue;
    drops.sort((a, b) => (a.collection + (a.kind ?? '')).localeCompare(b.collection + (b.kind ?? '')));
    const via = acceptance(loaded, o, opts);
    if (via) {
      for (const d of drops) Object.assign(d, { decision: 'accepted', accepted_by: actorName(opts.actor), accepted_via: via });
    } else {
      o.status = 'suspect';
      o.error = `implausible drop against run ${base.run_id}, the last complete collection of ${o.source}/${o.tenant}: ${drops.map((d) => d.reason).join(', ')}. `
        + `Its findings are carried (none resolved) and nothing there is acted on. If the drop is real, accept it for one run: --accept-drop ${o.source}/${o.tenant}`;
    }
    decisions.push(...drops);
  }
  return decisions;
}

function acceptance(loaded: LoadedConfig, o: TenantOutcome, opts: GuardOptions): string | null {
  const names = [o.tenant, `${o.source}/${o.tenant}`];
  const flag = (opts.acceptDrop ?? []).find((a) => names.includes(a));
  if (flag) return `--accept-drop ${flag}`;
  if (loaded.config.guards.accept_drop.some((a) => names.includes(a))) return 'config guards.accept_drop';
  return null;
}

function authorityAcceptance(loaded: LoadedConfig, opts: GuardOptions): string | null {
  if (opts.acceptAuthorityDrop) return '--accept-authority-drop';
  if (loaded.config.guards.accept_authority_drop) return 'config guards.accept_authority_drop';
  return null;
}

const ACCEPT_HINT = 'If that is really the approved state, accept it for one run with --accept-authority-drop (or guards.accept_authority_drop: true)';

/**
 * The authority guard, before any run exists: a configured grant file that holds no grant (0 bytes, `grants: []`)
 * is refused (exit 2), because every entitlement would look ungranted. `store` adds the comparison with the previous
 * run's grant set. Returns the acceptances to record when a person accepted.
 */
export async function judgeAuthority(loaded: LoadedConfig, authority: Authority, opts: GuardOptions = {}, store?: Store): Promise<GuardDecision[]> {
  const a = loaded.config.authority;
  const cfg = loaded.config.guards.authority;
  if (!cfg.enabled || a.grants.length === 0) return [];
  const now = opts.now ?? new Date();
  const via = authorityAcceptance(loaded, opts);
  const decisions: GuardDecision[] = [];
  const decide = (file: string | null, baseline: number | null, baselineRun: string | null, current: number, reason: string) =>
    decisions.push({ guard: 'authority', decision: 'accepted', source: null, provider: null, tenant: null, collection: 'grants', kind: null, file,
      baseline_run_id: baselineRun, baseline, current, reason, accepted_by: actorName(opts.actor), accepted_via: via, decided_at: now });
  const perFile = new Map<string, number>();
  for (const g of authority.grants) if (g.file) perFile.set(g.file, (perFile.get(g.file) ?? 0) + 1);
  for (const file of authority.files?.grants ?? []) {
    if (perFile.get(file)) continue;
    const reason = `${file}: the grant file holds no grant records (it is empty, or \`grants: []\`): every entitlement would look ungranted`;
    if (!via) throw new UserError(`${reason}. ${ACCEPT_HINT}`);
    decide(file, null, null, 0, reason);
  }
  if (store) {
    const prev = await store.one<{ run_id: string; n: number }>(`SELECT r.run_id, (SELECT count(*) FROM grants g WHERE g.run_id = r.run_id)::INTEGER AS n
      FROM runs r WHERE r.authority_status = 'complete' AND r.status IN ('complete', 'partial') ORDER BY r.seq DESC LIMIT 1`);
    const current = authority.grants.length;
    if (prev && isDrop(prev.n, current, cfg.max_drop, cfg.min_count)) {
      const files = [...(authority.files?.grants ?? [])].join(', ');
      const reason = `${files}: the grant set shrank implausibly against run ${prev.run_id}: ${describeDrop('grants', null, prev.n, current)}`;
      if (!via) throw new UserError(`${reason}. Access approved before would now look ungranted. ${ACCEPT_HINT}`);
      decide(files, prev.n, prev.run_id, current, reason);
    }
  }
  return decisions;
}

export async function recordDecisions(store: Store, runId: string, decisions: GuardDecision[]): Promise<void> {
  for (const d of decisions) {
    await store.run(`INSERT INTO guard_decisions (run_id, guard, decision, source, provider, tenant, collection, kind, file, baseline_run_id, baseline, current,
        reason, accepted_by, accepted_via, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::TIMESTAMP)`,
    [runId, d.guard, d.decision, d.source, d.provider, d.tenant, d.collection, d.kind, d.file, d.baseline_run_id, d.baseline, d.current,
      d.reason, d.accepted_by, d.accepted_via, d.decided_at.toISOString()]);
  }
}
