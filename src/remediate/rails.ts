// The safety rails of enforce mode (DESIGN.md "Safety of enforce mode"). Each is a small function over the store or
// the config, so the planner and apply evaluate exactly the same rules.
import type { Config } from '../config/schema.js';
import type { IdentifierCase } from '../connectors/types.js';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Breaker, PlannedAction } from './types.js';

/** Full-string glob match with the same metacharacters as DuckDB's GLOB: `*`, `?` and `[…]`. */
export function globMatch(pattern: string, value: string | null | undefined, ignoreCase = false): boolean {
  if (value === null || value === undefined) return false;
  return globRegExp(pattern, ignoreCase).test(value);
}

const globCache = new Map<string, RegExp>();
function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globCache.get(cacheKey);
  if (re) return re;
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) { src += '\\['; continue; }
      let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = '^' + body.slice(1);
      src += `[${body}]`;
      i = end;
    } else src += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`, ignoreCase ? 'si' : 's');
  globCache.set(cacheKey, re);
  return re;
}

/**
 * Names a target is known by: a protected or opted-out entry may name any of them. `case` is the connector's rule for
 * which of them compare case-insensitively (a cloud user name, a code-host login); without it every match is exact.
 */
export interface TargetNames { provider: string; tenant: string; refs: (string | null | undefined)[]; case?: IdentifierCase }

/** Whether `pattern` names `ref`, under the provider's letter-case rule for that ref. */
function namesRef(pattern: string, ref: string | null | undefined, rule: IdentifierCase | undefined): boolean {
  if (ref === null || ref === undefined) return false;
  return globMatch(pattern, ref, rule ? rule.insensitive.test(ref) : false);
}

/** The protected entry covering this target, if any. */
export function protectedBy(config: Config, t: TargetNames): Config['protected'][number] | undefined {
  return config.protected.find((p) =>
    (p.provider === undefined || globMatch(p.provider, t.provider)) &&
    (p.tenant === undefined || globMatch(p.tenant, t.tenant)) &&
    t.refs.some((r) => namesRef(p.ref, r, t.case)));
}

export interface ActiveOptOut { ref: string; reason: string; expires_at: Date; ticket?: string }

/** Opt-outs still in force at `now`; an unreadable expiry is the user's mistake and stops the plan. */
export function activeOptOuts(config: Config, now: Date): { active: ActiveOptOut[]; expired: ActiveOptOut[] } {
  const active: ActiveOptOut[] = [], expired: ActiveOptOut[] = [];
  config.remediation.opt_outs.forEach((o, i) => {
    const d = new Date(o.expires_at);
    if (Number.isNaN(d.getTime())) throw new UserError(`remediation.opt_outs[${i}].expires_at: not a date: "${o.expires_at}"`);
    (d.getTime() > now.getTime() ? active : expired).push({ ...o, expires_at: d });
  });
  return { active, expired };
}

export function optedOutBy(optOuts: ActiveOptOut[], t: TargetNames): ActiveOptOut | undefined {
  return optOuts.find((o) => t.refs.some((r) => namesRef(o.ref, r, t.case)));
}

/**
 * Tenants whose collection in this run was complete, as `source\u0000tenant`. Anything else (partial, failed, a
 * source that failed before listing tenants, a tenant with no record at all) is treated as incomplete.
 */
export async function completeTenants(store: Store, runId: string): Promise<{ complete: Set<string>; statusOf(source: string, tenant: string): string }> {
  const rows = await store.all<{ source: string; tenant: string; status: string }>(
    `SELECT source, tenant, status FROM source_runs WHERE run_id = $1`, [runId]);
  const status = new Map<string, string>();
  const sourceFailed = new Map<string, string>();
  for (const r of rows) {
    const k = `${r.source}\u0000${r.tenant}`;
    // One tenant reported twice (a retried shard) counts by its worst status.
    if (status.get(k) !== 'failed' && status.get(k) !== 'partial') status.set(k, r.status);
    if (r.tenant === '*' && r.status !== 'complete') sourceFailed.set(r.source, r.status);
  }
  const complete = new Set([...status].filter(([k, s]) => s === 'complete' && !sourceFailed.has(k.split('\u0000')[0]!)).map(([k]) => k));
  return {
    complete,
    statusOf: (source, tenant) => sourceFailed.get(source) ?? status.get(`${source}\u0000${tenant}`) ?? 'not collected',
  };
}

/**
 * The reconciled runs up to and including `runId`, newest first, at most `n`. A run counts once it has reconciled
 * (a stage past collect, or findings rows); runs that failed are left out rather than breaking a streak.
 */
export async function reconciledWindow(store: Store, runId: string, runSeq: number, n: number): Promise<{ run_id: string; started_at: Date }[]> {
  return store.all(
    `SELECT run_id, started_at FROM runs r
     WHERE seq <= $2 AND (run_id = $1 OR (status IN ('complete', 'partial')
       AND ((stage IS NOT NULL AND stage <> 'collect') OR EXISTS (SELECT 1 FROM findings f WHERE f.run_id = r.run_id))))
     ORDER BY seq DESC LIMIT $3`, [runId, runSeq, n]);
}

/**
 * How many consecutive reconciled runs, newest first, saw each finding. Only rows where the finding was present
 * count: not carried rows (kept open only because the tenant was not re-collected) and not `resolved` rows (the
 * reconciler writes those precisely when the finding was absent).
 */
export async function findingStreaks(store: Store, window: { run_id: string }[]): Promise<Map<string, Set<string>>> {
  const seen = new Map<string, Set<string>>();
  if (!window.length) return seen;
  const ids = window.map((w) => w.run_id);
  const rows = await store.all<{ finding_id: string; run_id: string }>(
    `SELECT finding_id, run_id FROM findings WHERE run_id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})
       AND NOT coalesce(carried, false) AND status <> 'resolved'`,
    ids);
  for (const r of rows) {
    let s = seen.get(r.finding_id);
    if (!s) seen.set(r.finding_id, (s = new Set()));
    s.add(r.run_id);
  }
  return seen;
}

/** Consecutive runs (newest first) of `window` in which the finding was seen, counting only runs started after `after`. */
export function streakOf(window: { run_id: string; started_at: Date }[], seenIn: Set<string> | undefined, after?: Date | null): number {
  let n = 0;
  for (const w of window) {
    if (!seenIn?.has(w.run_id)) break;
    if (after && w.started_at.getTime() <= after.getTime()) break;
    n++;
  }
  return n;
}

/** The identity an action takes access away from, for the fraction breaker. */
export function affectedIdentity(a: PlannedAction): string {
  return a.target.subject === 'identity' ? a.target.ref : (a.target.identity_ref ?? a.target.ref);
}

/** Circuit breakers: past either limit nothing at all is done in this run. */
export async function evaluateBreakers(store: Store, runId: string, actions: PlannedAction[], limits: { max_actions: number; max_fraction: number }): Promise<Breaker[]> {
  const out: Breaker[] = [];
  if (actions.length > limits.max_actions) {
    out.push({ rail: 'max_actions', scope: 'run', count: actions.length, limit: limits.max_actions,
      message: `${actions.length} actions planned, more than remediation.max_actions (${limits.max_actions}): nothing will be done in this run` });
  }
  const byTenant = new Map<string, { source: string; tenant: string; ids: Set<string> }>();
  for (const a of actions) {
    const k = `${a.source}\u0000${a.tenant}`;
    let e = byTenant.get(k);
    if (!e) byTenant.set(k, (e = { source: a.source, tenant: a.tenant, ids: new Set() }));
    e.ids.add(affectedIdentity(a));
  }
  for (const e of byTenant.values()) {
    const total = Number(await store.value(`SELECT count(DISTINCT ref) FROM identities WHERE run_id = $1 AND source = $2 AND tenant = $3`, [runId, e.source, e.tenant]));
    const limit = Math.floor(limits.max_fraction * total);
    if (e.ids.size > limits.max_fraction * total) {
      out.push({ rail: 'max_fraction', scope: `${e.source}/${e.tenant}`, count: e.ids.size, limit,
        message: `actions would touch ${e.ids.size} of ${total} identities in ${e.source}/${e.tenant}, more than remediation.max_fraction (${limits.max_fraction}): nothing will be done in this run` });
    }
  }
  return out;
}
