// One harness for every rule's cases: seed canonical rows and authority records for a run, reconcile at a fixed
// time, and return the findings. Cases are data (seed + expectation), so a new rule never needs a new runner.
import { Credential, Entitlement, Identity, type CredentialInput, type EntitlementInput, type IdentityInput } from '../../src/model/index.js';
import { Grant, Owner, Person, Exception, RegisterEntry, storeAuthority, type Authority } from '../../src/authority/index.js';
import { createRun, setRunStage } from '../../src/store/runs.js';
import { reconcile } from '../../src/reconcile/engine.js';
import type { Store } from '../../src/store/store.js';

export const NOW = new Date('2026-06-01T00:00:00Z');
export const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
export const daysAhead = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();

type Located<T> = T & { source?: string; provider?: string; tenant?: string };

export interface Seed {
  identities?: Located<IdentityInput | Record<string, unknown>>[];
  credentials?: Located<CredentialInput | Record<string, unknown>>[];
  entitlements?: Located<EntitlementInput | Record<string, unknown>>[];
  grants?: Record<string, unknown>[];
  owners?: Record<string, unknown>[];
  people?: Record<string, unknown>[];
  exceptions?: Record<string, unknown>[];
  /** Integration register entries. */
  integrations?: Record<string, unknown>[];
  /** Tenant statuses; default: every (source, tenant) seen is complete. */
  sourceRuns?: { source?: string; provider?: string; tenant: string; status: 'complete' | 'partial' | 'failed' }[];
}

export interface FindingRow {
  finding_id: string; rule_id: string; severity: string; status: string; subject_type: string; subject_ref: string;
  identity_ref: string | null; reason: string; evidence: string; owner: string | null; owner_status: string | null;
  first_seen: Date; resolved_at: Date | null; carried: boolean; suppressed_by: string | null; tenant: string;
}

const DEF = { source: 'src', provider: 'prov', tenant: 't1' };

const dateFields = ['created_at', 'last_used_at', 'expires_at', 'last_rotated_at'];
function toDates<T extends Record<string, unknown>>(r: T): T {
  const o: Record<string, unknown> = { ...r };
  for (const k of dateFields) if (typeof o[k] === 'string') o[k] = new Date(o[k] as string);
  return o as T;
}

export async function seedRun(store: Store, seed: Seed, now = NOW): Promise<string> {
  const run = await createRun(store, { now });
  const runId = run.run_id;
  await store.transaction(async () => {
    const tenants = new Map<string, { source: string; provider: string; tenant: string }>();
    const put = async (table: 'identities' | 'credentials' | 'entitlements', rows: Record<string, unknown>[] | undefined, schema: typeof Identity | typeof Credential | typeof Entitlement) => {
      const w = await store.writer(table);
      for (const r of rows ?? []) {
        const { source = DEF.source, provider = DEF.provider, tenant = DEF.tenant, ...rest } = r as Record<string, string>;
        const rec = schema.parse(toDates(rest));
        w.append({ run_id: runId, source, provider, tenant, ...rec });
        tenants.set(`${source}|${tenant}`, { source, provider, tenant });
      }
      w.close();
    };
    await put('identities', seed.identities as Record<string, unknown>[], Identity);
    await put('credentials', seed.credentials as Record<string, unknown>[], Credential);
    await put('entitlements', seed.entitlements as Record<string, unknown>[], Entitlement);
    const loc = (v: unknown) => ({ file: 'seed.yaml', line: 1, value: v });
    const authority: Authority = {
      grants: (seed.grants ?? []).map((g, i) => loc({ id: `g${i + 1}`, ...Grant.parse(g) })) as Authority['grants'],
      owners: (seed.owners ?? []).map((o) => loc(Owner.parse(o))) as Authority['owners'],
      people: (seed.people ?? []).map((p) => loc(Person.parse(p))) as Authority['people'],
      exceptions: (seed.exceptions ?? []).map((x, i) => loc({ id: `x${i + 1}`, ...Exception.parse(x) })) as Authority['exceptions'],
      integrations: (seed.integrations ?? []).map((r, i) => loc({ ...RegisterEntry.parse(r), id: (r.id as string | undefined) ?? `r${i + 1}` })) as Authority['integrations'],
    };
    authority.grants.forEach((g, i) => { g.value.id = (seed.grants![i]!.id as string | undefined) ?? g.value.id; });
    await storeAuthority(store, runId, authority);
    const srw = await store.writer('source_runs');
    const statuses = seed.sourceRuns ?? [...tenants.values()].map((t) => ({ ...t, status: 'complete' as const }));
    for (const s of statuses) {
      srw.append({ run_id: runId, source: s.source ?? DEF.source, provider: s.provider ?? DEF.provider, tenant: s.tenant, status: s.status, api_calls: 0, cached_calls: 0, rate_budget_used: 0, rows: 0 });
    }
    srw.close();
    await setRunStage(store, runId, 'collect', statuses.every((s) => s.status === 'complete') ? 'complete' : 'partial');
  });
  return runId;
}

export const POLICY = { stale_days: 90, grace_days: 14, max_credential_age_days: 90, max_credential_lifetime_days: 365, providers: {}, disabled_rules: [] };

export async function reconcileSeed(store: Store, seed: Seed, now = NOW, policy = POLICY): Promise<{ runId: string; findings: FindingRow[] }> {
  const runId = await seedRun(store, seed, now);
  await reconcile(store, { runId, now, policy });
  const findings = await store.all<FindingRow & Record<string, unknown>>('SELECT * FROM findings WHERE run_id = $1 ORDER BY rule_id, subject_ref', [runId]);
  return { runId, findings };
}
