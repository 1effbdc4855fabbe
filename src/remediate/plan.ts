// The planner: turns one run's findings into a reviewable plan, applying the policy (which rule leads to which
// operation, per provider) and every safety rail. It never calls a provider; apply re-checks everything live.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { Target } from '../connectors/types.js';
import { InputError, UserError } from '../errors.js';
import { readJsonFile } from '../io/records.js';
import { silentLogger, type Logger } from '../log.js';
import { SEVERITY_RANK, type Severity } from '../model/index.js';
import { getRun, latestRun, requireEvidence, type RunRow } from '../store/runs.js';
import type { Store } from '../store/store.js';
import { parseJson, type JournalRow } from './journal.js';
import {
  activeOptOuts, completeTenants, evaluateBreakers, findingStreaks, optedOutBy, protectedBy, reconciledWindow, streakOf, globMatch,
  type TargetNames,
} from './rails.js';
import { findSpec, isHandle, Sources } from './sources.js';
import { PlanSchema, type HeldFinding, type Plan, type PlannedAction, type Rail } from './types.js';

export interface PlanOptions {
  /** The run to plan from; default the latest committed run. */
  runId?: string;
  now?: Date;
  log?: Logger;
  /** Re-plan under an existing plan id (apply does this to check a plan still holds). */
  planId?: string;
}

interface FindingRow {
  finding_id: string; rule_id: string; severity: string; status: string; provider: string; tenant: string; source: string;
  subject_type: string; subject_ref: string; identity_ref: string | null; owner_status: string | null; reason: string;
  carried: boolean | null;
}

interface InventoryRow {
  ref: string; kind: string | null; name: string | null; login?: string | null; identity_ref?: string | null; identity_name?: string | null;
  resource_ref?: string | null; permission?: string | null; status?: string | null; disabled?: boolean | null;
  last_used_at: Date | null; attributes: unknown;
}

const TABLE_OF = { identity: 'identities', credential: 'credentials', entitlement: 'entitlements' } as const;
type Subject = keyof typeof TABLE_OF;

export function newPlanId(run: Pick<RunRow, 'seq'>, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `plan-${run.seq}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Deterministic within a plan, so a re-run of the same plan finds its own journal rows. */
export function actionId(planId: string, source: string, ref: string, operation: string): string {
  return 'act-' + createHash('sha256').update([planId, source, ref, operation].join('\u0000')).digest('hex').slice(0, 16);
}

export function planDigest(plan: Omit<Plan, 'digest'> & { digest?: string }): string {
  const { digest: _ignored, ...rest } = plan;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export async function planActions(store: Store, loaded: LoadedConfig, opts: PlanOptions = {}): Promise<Plan> {
  const now = opts.now ?? new Date();
  const log = opts.log ?? silentLogger;
  const { config } = loaded;
  const rem = config.remediation;
  // Only a reconciled run is evidence: an unreconciled one has no findings and would plan "nothing to do".
  const run = opts.runId ? await getRun(store, opts.runId) : await latestRun(store, { reconciled: true });
  if (!run) throw new UserError(opts.runId ? `no run "${opts.runId}" in ${store.path}` : `no committed run in ${store.path}: run \`nhi-recon scan\` first`);
  if (run.status === 'failed') throw new UserError(`run ${run.run_id} failed (${run.error ?? 'no detail'}); plan from a run that committed`);
  requireEvidence(run, 'plan remediation');
  const planId = opts.planId ?? newPlanId(run, now);
  const sources = new Sources(loaded, { runId: run.run_id, log, now });
  const held: HeldFinding[] = [];
  const actions: PlannedAction[] = [];
  const byKey = new Map<string, PlannedAction>();

  const findings = (await store.all<FindingRow & Record<string, unknown>>(
    `SELECT finding_id, rule_id, severity, status, provider, tenant, source, subject_type, subject_ref, identity_ref, owner_status, reason, carried
     FROM findings WHERE run_id = $1 AND status IN ('new', 'open', 'regressed') AND suppressed_by IS NULL AND resolved_at IS NULL`, [run.run_id]))
    .sort((a, b) => (SEVERITY_RANK[b.severity as Severity] ?? 0) - (SEVERITY_RANK[a.severity as Severity] ?? 0) || a.finding_id.localeCompare(b.finding_id));
  const candidates = findings.flatMap((f) => {
    const p = rem.actions.find((a) => globMatch(a.rule, f.rule_id) && globMatch(a.provider, f.provider));
    return p ? [{ f, p }] : [];
  });

  const hold = (f: Pick<FindingRow, 'finding_id' | 'rule_id' | 'provider' | 'tenant' | 'source'>, ref: string, operation: string | null, rail: Rail, reason: string) =>
    held.push({ finding_id: f.finding_id, rule_id: f.rule_id, provider: f.provider, tenant: f.tenant, source: f.source, target_ref: ref, operation, rail, reason });

  if (run.authority_status !== 'complete') {
    // Without complete grant records every entitlement looks ungranted: acting on that would be a mass outage.
    const message = `the authoritative records of run ${run.run_id} did not load completely (${run.authority_status ?? 'not loaded'}${run.authority_error ? `: ${run.authority_error}` : ''}): no action is planned`;
    for (const { f, p } of candidates) hold(f, f.subject_ref, p.operation, 'authority', message);
    return finish(store, loaded, run, planId, now, [], held, { rail: 'authority', message });
  }

  const tenants = await completeTenants(store, run.run_id);
  const window = await reconciledWindow(store, run.run_id, run.seq, rem.min_consecutive_runs);
  const seen = await findingStreaks(store, window);
  const { active: optOuts, expired } = activeOptOuts(config, now);
  for (const o of expired) log.warn(`opt-out for ${o.ref} expired on ${o.expires_at.toISOString()} and no longer applies`);
  const prior = await priorActions(store, planId);

  // The inventory rows findings name, read in one query per table: a lookup per finding costs ~25 ms on a busy
  // 2-core machine, which made planning 2,000 findings take a minute.
  const inventory = await preloadInventory(store, run.run_id);
  const row = async (subject: Subject, source: string, ref: string): Promise<InventoryRow | undefined> => {
    const k = `${source}\u0000${ref}`;
    const m = inventory[subject];
    if (m.has(k)) return m.get(k);
    const r = await store.one<InventoryRow & Record<string, unknown>>(`SELECT * FROM ${TABLE_OF[subject]} WHERE run_id = $1 AND source = $2 AND ref = $3 LIMIT 1`, [run.run_id, source, ref]);
    m.set(k, r);
    return r;
  };
  const namesOf = async (t: Target, r: InventoryRow): Promise<TargetNames> => {
    const refs: (string | null | undefined)[] = [t.ref, t.identity_ref, r.identity_name];
    if (t.subject === 'identity') refs.push(r.name, r.login);
    else if (t.identity_ref) {
      const id = await row('identity', t.source, t.identity_ref);
      if (id) refs.push(id.name, id.login);
    }
    return { provider: t.provider, tenant: t.tenant, refs };
  };

  for (const { f, p } of candidates) {
    const h = await sources.get(f.source);
    if (!isHandle(h)) { hold(f, f.subject_ref, p.operation, 'unsupported', h.error); continue; }
    if (!(f.subject_type in TABLE_OF)) { hold(f, f.subject_ref, p.operation, 'unsupported', `a ${f.subject_type} finding has nothing to act on`); continue; }
    const subject = f.subject_type as Subject;
    if (f.carried) { hold(f, f.subject_ref, p.operation, 'incomplete-tenant', `carried over: ${f.source}/${f.tenant} was not fully collected in this run`); continue; }
    if (!tenants.complete.has(`${f.source}\u0000${f.tenant}`)) {
      hold(f, f.subject_ref, p.operation, 'incomplete-tenant', `collection of ${f.source}/${f.tenant} in this run was ${tenants.statusOf(f.source, f.tenant)}: nothing there is acted on`);
      continue;
    }
    // Journal and streak rails first: they need no inventory lookup, so a flood of new findings stays cheap.
    const last = prior.get(priorKey(f.source, f.subject_ref, p.operation));
    if (last && last.state === 'intent') { hold(f, f.subject_ref, p.operation, 'in-progress', `action ${last.action_id} (plan ${last.plan_id}) was interrupted; the next apply resolves it first`); continue; }
    if (last && ['done', 'verified', 'unverified'].includes(last.state)) {
      hold(f, f.subject_ref, p.operation, 'already-remediated', `action ${last.action_id} already ran ${p.operation} on it (${last.state})${last.state === 'unverified' ? '; check it by hand or roll it back' : ''}`);
      continue;
    }
    const rolledBackAt = last?.state === 'rolled_back' ? last.rolled_back_at : null;
    const streak = streakOf(window, seen.get(f.finding_id), rolledBackAt);
    if (streak < rem.min_consecutive_runs) {
      hold(f, f.subject_ref, p.operation, 'too-new', `seen in ${streak} consecutive run(s)${rolledBackAt ? ` since its rollback on ${rolledBackAt.toISOString()}` : ''}; acting needs ${rem.min_consecutive_runs}`);
      continue;
    }
    const r = await row(subject, f.source, f.subject_ref);
    if (!r) { hold(f, f.subject_ref, p.operation, 'missing-target', `${f.subject_ref} is not in the ${TABLE_OF[subject]} of run ${run.run_id}`); continue; }
    const target = targetOf(subject, f, r);
    // A summary entitlement (an identity's combined access) is no single grant a provider can remove: act on the
    // entitlements it combines instead.
    if (subject === 'entitlement' && parseJson(r.attributes)?.summary === true) { hold(f, target.ref, p.operation, 'unsupported', `${target.ref} is the combined access of ${f.identity_ref ?? 'an identity'}, not one removable entitlement: act on the entitlements it combines`); continue; }
    const spec = findSpec(h, p.operation, subject, target.kind);
    if (typeof spec === 'string') { hold(f, target.ref, p.operation, 'unsupported', spec); continue; }
    if (f.owner_status === 'disputed') { hold(f, target.ref, p.operation, 'disputed-owner', 'owner records disagree about who owns this identity: never acted on automatically'); continue; }
    const names = { ...await namesOf(target, r), case: h.connector.identifierCase };
    const prot = protectedBy(config, names);
    if (prot) { hold(f, target.ref, p.operation, 'protected', `protected (${prot.ref})${prot.reason ? `: ${prot.reason}` : ''}`); continue; }
    const opt = optedOutBy(optOuts, names);
    if (opt) { hold(f, target.ref, p.operation, 'opt-out', `opted out until ${opt.expires_at.toISOString()} (${opt.ref}): ${opt.reason}${opt.ticket ? ` [${opt.ticket}]` : ''}`); continue; }
    if (!spec.reversible && !p.allow_irreversible) {
      hold(f, target.ref, p.operation, 'irreversible', `${p.operation} cannot be undone; configure a reversible operation with a \`then:\` follow-up, or set allow_irreversible on this action rule`);
      continue;
    }
    if (isInactive(subject, r)) { hold(f, target.ref, p.operation, 'already-inactive', `${target.ref} is already ${subject === 'identity' ? 'disabled' : r.status}`); continue; }
    const key = priorKey(f.source, target.ref, p.operation);
    const dup = byKey.get(key);
    if (dup) { dup.finding_ids.push(f.finding_id); continue; }
    const lastUsed = r.last_used_at ? r.last_used_at.toISOString() : null;
    const a: PlannedAction = {
      action_id: actionId(planId, f.source, target.ref, p.operation), step: 'first', follows: null,
      finding_id: f.finding_id, finding_ids: [f.finding_id], rule_id: f.rule_id, severity: f.severity,
      provider: f.provider, tenant: f.tenant, source: f.source, target, operation: p.operation, kind: spec.kind, reversible: spec.reversible,
      why: f.reason,
      precondition: { exists: true, active: true, last_used_not_after: lastUsed,
        text: `still exists, still ${subject === 'entitlement' ? 'granted' : 'active'}, and not used since ${lastUsed ?? 'collection (never used then)'}` },
      rollback: rollbackOf(spec.reversible, Boolean(h.remediation?.rollback), spec.kind),
    };
    byKey.set(key, a);
    actions.push(a);
  }

  // Follow-ups: the destructive step, once the reversible one has held for `after_days` and nobody undid it.
  for (const p of rem.actions) {
    if (!p.then) continue;
    const cutoff = new Date(now.getTime() - p.then.after_days * 86_400_000);
    for (const first of prior.values()) {
      if (first.state !== 'verified' || first.operation !== p.operation || !globMatch(p.rule, first.rule_id ?? '') || !globMatch(p.provider, first.provider ?? '')) continue;
      if (!first.verified_at || first.verified_at.getTime() > cutoff.getTime()) continue;
      const source = first.source ?? '';
      const f = { finding_id: first.finding_id ?? first.action_id, rule_id: first.rule_id ?? '', provider: first.provider ?? '', tenant: first.tenant ?? '', source };
      const key = priorKey(source, first.target_ref, p.then.operation);
      const done = prior.get(key);
      if (done && done.state !== 'rolled_back' && done.state !== 'failed' && done.state !== 'skipped') continue;
      if (byKey.has(key)) continue;
      const h = await sources.get(source);
      if (!isHandle(h)) { hold(f, first.target_ref, p.then.operation, 'unsupported', h.error); continue; }
      const before = parseJson(first.before_state);
      const subject = ((before?.target as Target | undefined)?.subject ?? 'credential') as Subject;
      if (!tenants.complete.has(`${source}\u0000${f.tenant}`)) {
        hold(f, first.target_ref, p.then.operation, 'incomplete-tenant', `collection of ${source}/${f.tenant} in this run was ${tenants.statusOf(source, f.tenant)}: nothing there is acted on`);
        continue;
      }
      const r = await row(subject, source, first.target_ref);
      if (!r) { hold(f, first.target_ref, p.then.operation, 'missing-target', `${first.target_ref} is no longer in the inventory (already removed?)`); continue; }
      const target = targetOf(subject, { provider: f.provider, tenant: f.tenant, source }, r);
      const spec = findSpec(h, p.then.operation, subject, target.kind);
      if (typeof spec === 'string') { hold(f, target.ref, p.then.operation, 'unsupported', spec); continue; }
      const names = { ...await namesOf(target, r), case: h.connector.identifierCase };
      const prot = protectedBy(config, names);
      if (prot) { hold(f, target.ref, p.then.operation, 'protected', `protected (${prot.ref})${prot.reason ? `: ${prot.reason}` : ''}`); continue; }
      const opt = optedOutBy(optOuts, names);
      if (opt) { hold(f, target.ref, p.then.operation, 'opt-out', `opted out until ${opt.expires_at.toISOString()} (${opt.ref}): ${opt.reason}`); continue; }
      const since = first.intent_at ?? first.verified_at;
      if (!isInactive(subject, r) || (r.last_used_at && since && r.last_used_at.getTime() > since.getTime())) {
        hold(f, target.ref, p.then.operation, 'reactivated', `${target.ref} was ${isInactive(subject, r) ? 'used' : 're-enabled'} after action ${first.action_id}; the follow-up ${p.then.operation} is not run`);
        continue;
      }
      const a: PlannedAction = {
        action_id: actionId(planId, source, target.ref, p.then.operation), step: 'follow-up', follows: first.action_id,
        finding_id: f.finding_id, finding_ids: [f.finding_id], rule_id: f.rule_id, severity: 'info',
        provider: f.provider, tenant: f.tenant, source, target, operation: p.then.operation, kind: spec.kind, reversible: spec.reversible,
        why: `${p.operation} (action ${first.action_id}) has held since ${first.verified_at.toISOString()}, past the ${p.then.after_days}-day grace period.`,
        precondition: { exists: true, active: false, last_used_not_after: since ? since.toISOString() : null,
          text: `still exists, still ${subject === 'entitlement' ? 'revoked' : 'disabled'}, and not used since action ${first.action_id}` },
        rollback: rollbackOf(spec.reversible, Boolean(h.remediation?.rollback), spec.kind),
      };
      const sev = await store.value(`SELECT severity FROM findings WHERE run_id = $1 AND finding_id = $2`, [run.run_id, f.finding_id]);
      if (typeof sev === 'string') a.severity = sev;
      byKey.set(key, a);
      actions.push(a);
    }
  }
  return finish(store, loaded, run, planId, now, actions, held, null);
}

async function finish(store: Store, loaded: LoadedConfig, run: RunRow, planId: string, now: Date, actions: PlannedAction[], held: HeldFinding[],
  blocked: Plan['blocked']): Promise<Plan> {
  const rem = loaded.config.remediation;
  const limits = { max_actions: rem.max_actions, max_fraction: rem.max_fraction, min_consecutive_runs: rem.min_consecutive_runs };
  const breakers = blocked ? [] : await evaluateBreakers(store, run.run_id, actions, limits);
  if (!blocked && breakers.length) blocked = { rail: 'breaker', message: breakers.map((b) => b.message).join('; ') };
  const plan: Omit<Plan, 'digest'> = {
    format: 'nhi-recon-plan', version: 1, plan_id: planId, database_id: await store.databaseId(), run_id: run.run_id, run_seq: run.seq,
    created_at: now.toISOString(), config_file: loaded.file, limits, blocked, breakers, actions, held,
  };
  return { ...plan, digest: planDigest(plan) };
}

/** Rows of the run's identities, credentials and entitlements that a finding names (as subject or as its identity). */
async function preloadInventory(store: Store, runId: string): Promise<Record<Subject, Map<string, InventoryRow | undefined>>> {
  const out = { identity: new Map(), credential: new Map(), entitlement: new Map() } as Record<Subject, Map<string, InventoryRow | undefined>>;
  for (const subject of Object.keys(TABLE_OF) as Subject[]) {
    const wanted = subject === 'identity'
      ? `SELECT source, subject_ref AS ref FROM findings WHERE run_id = $1 AND subject_type = 'identity'
         UNION SELECT source, identity_ref FROM findings WHERE run_id = $1 AND identity_ref IS NOT NULL`
      : `SELECT DISTINCT source, subject_ref AS ref FROM findings WHERE run_id = $1 AND subject_type = '${subject}'`;
    const rows = await store.all<InventoryRow & { source: string } & Record<string, unknown>>(
      `WITH w AS (${wanted}) SELECT t.* FROM ${TABLE_OF[subject]} t JOIN w ON w.source = t.source AND w.ref = t.ref WHERE t.run_id = $1`, [runId]);
    for (const r of rows) {
      const k = `${r.source}\u0000${r.ref}`;
      if (!out[subject].has(k)) out[subject].set(k, r);
    }
  }
  return out;
}

function targetOf(subject: Subject, f: { provider: string; tenant: string; source: string }, r: InventoryRow): Target {
  return {
    provider: f.provider, tenant: f.tenant, source: f.source, subject, ref: r.ref,
    kind: subject === 'entitlement' ? null : (r.kind ?? null),
    identity_ref: subject === 'identity' ? null : (r.identity_ref ?? null),
    resource_ref: subject === 'entitlement' ? (r.resource_ref ?? null) : null,
    permission: subject === 'entitlement' ? (r.permission ?? null) : null,
    attributes: parseJson(r.attributes),
  };
}

function isInactive(subject: Subject, r: InventoryRow): boolean {
  if (subject === 'identity') return Boolean(r.disabled);
  if (subject === 'credential') return r.status !== 'active';
  return false;
}

function rollbackOf(reversible: boolean, hasRollback: boolean, kind: string): { possible: boolean; how: string } {
  if (!reversible) return { possible: false, how: `a ${kind} cannot be undone: the target would have to be re-created by hand` };
  if (!hasRollback) return { possible: false, how: 'the connector offers no rollback for this operation' };
  return { possible: true, how: kind === 'disable' ? '`nhi-recon rollback ACTION_ID` re-enables it from the recorded before-state' : '`nhi-recon rollback ACTION_ID` restores it from the recorded before-state' };
}

const priorKey = (source: string, ref: string, operation: string) => `${source}\u0000${ref}\u0000${operation}`;

/** The latest journal row per (source, target, operation), from other plans than this one. */
async function priorActions(store: Store, planId: string): Promise<Map<string, JournalRow>> {
  const rows = await store.all<JournalRow & Record<string, unknown>>(
    `SELECT * FROM actions WHERE plan_id <> $1 ORDER BY coalesce(intent_at, outcome_at)`, [planId]);
  const out = new Map<string, JournalRow>();
  for (const r of rows) out.set(priorKey(r.source ?? '', r.target_ref, r.operation), r);
  return out;
}

/** Writes the plan (JSON) and its human-readable summary (Markdown) beside it, each atomically. */
export function writePlan(plan: Plan, dir: string): { planFile: string; summaryFile: string } {
  mkdirSync(dir, { recursive: true });
  const planFile = join(dir, `${plan.plan_id}.json`);
  const summaryFile = join(dir, `${plan.plan_id}.md`);
  for (const [file, text] of [[planFile, JSON.stringify(plan, null, 2) + '\n'], [summaryFile, planSummary(plan)]] as const) {
    writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return { planFile, summaryFile };
}

/** Reads and checks a plan file: schema, and a digest that catches any edit since it was written. */
export function readPlan(file: string): Plan {
  let raw: unknown;
  try { raw = readJsonFile(file); } catch (e) {
    throw new UserError(`cannot read plan ${file}: ${e instanceof InputError ? e.issues.map((i) => `line ${i.line}: ${i.message}`).join('; ') : (e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(`${file} is not a valid nhi-recon plan: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const plan = parsed.data as Plan;
  if (planDigest(raw as Plan) !== plan.digest) throw new UserError(`${file} was modified after it was written (digest mismatch): run \`nhi-recon plan\` again`);
  return plan;
}

export function planSummary(plan: Plan): string {
  const lines: string[] = [];
  lines.push(`# Remediation plan ${plan.plan_id}`, '');
  lines.push(`Run ${plan.run_id} (#${plan.run_seq}), written ${plan.created_at}. Limits: at most ${plan.limits.max_actions} actions, ` +
    `${plan.limits.max_fraction * 100}% of a tenant's identities; findings must be seen in ${plan.limits.min_consecutive_runs} consecutive runs.`, '');
  if (plan.blocked) lines.push(`**BLOCKED (${plan.blocked.rail}): ${plan.blocked.message}.** Applying this plan does nothing.`, '');
  lines.push(`## Actions (${plan.actions.length})`, '');
  if (!plan.actions.length) lines.push('None.', '');
  for (const a of plan.actions) {
    lines.push(`- \`${a.action_id}\` **${a.kind}** (${a.operation}) ${a.target.subject} \`${a.target.ref}\` in ${a.source}/${a.tenant}` +
      `${a.step === 'follow-up' ? `, follow-up of ${a.follows}` : ''}`);
    lines.push(`  - finding ${a.finding_ids.join(', ')} (${a.rule_id}, ${a.severity}): ${a.why}`);
    lines.push(`  - re-checked just before acting: ${a.precondition.text}`);
    lines.push(`  - rollback: ${a.rollback.how}`);
  }
  lines.push('', `## Held back (${plan.held.length})`, '');
  if (!plan.held.length) lines.push('None.');
  for (const h of plan.held) lines.push(`- ${h.rail}: \`${h.target_ref}\` (${h.rule_id}, finding ${h.finding_id}${h.operation ? `, ${h.operation}` : ''}): ${h.reason}`);
  return lines.join('\n') + '\n';
}
