// Builds a small estate in the fake provider, a config pointing at it, and runs "scans": a real collection through
// the pipeline, then findings rows as the reconciler writes them (the tests choose which findings exist).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { LoadedConfig } from '../../src/config/load.js';
import type { Store } from '../../src/store/store.js';
import { collectRun, writeConfig } from '../helpers/index.js';
import { registerFake, writeState, type FakeState } from './fake-provider.js';

export const OLD = '2023-01-01T00:00:00.000Z';

export function defaultState(): FakeState {
  const users = [
    { ref: 'u-alice', name: 'alice', human: true, disabled: false, created_at: OLD },
    { ref: 'bg-1', name: 'break-glass-admin', human: false, disabled: false, created_at: OLD },
    ...Array.from({ length: 8 }, (_, i) => ({ ref: `svc-${i + 1}`, name: `svc-${i + 1}`, human: false, disabled: false, created_at: OLD })),
  ];
  return {
    tenant: 'acme',
    users,
    keys: [
      { ref: 'key-1', identity_ref: 'svc-1', kind: 'access_key', status: 'active', created_at: OLD, last_used_at: null },
      { ref: 'key-2', identity_ref: 'svc-2', kind: 'access_key', status: 'active', created_at: OLD, last_used_at: '2023-02-01T00:00:00.000Z' },
      { ref: 'key-bg', identity_ref: 'bg-1', kind: 'access_key', status: 'active', created_at: OLD, last_used_at: null },
      { ref: 'pat-1', identity_ref: 'svc-3', kind: 'pat', status: 'active', created_at: OLD, last_used_at: null },
    ],
    attachments: [
      { identity_ref: 'svc-4', policy: 'AdministratorAccess', level: 'admin', attached: true },
      { identity_ref: 'svc-5', policy: 'ReadOnlyAccess', level: 'read', attached: true },
    ],
    calls: [],
  };
}

export interface Estate { dir: string; stateFile: string; loaded: LoadedConfig }

export async function makeEstate(dir: string, opts: { state?: Partial<FakeState>; remediation?: Record<string, unknown>; protected?: unknown[] } = {}): Promise<Estate> {
  registerFake();
  const stateFile = join(dir, 'provider.json');
  writeState(stateFile, { ...defaultState(), ...opts.state });
  const loaded = await writeConfig(dir, configFor(opts));
  return { dir, stateFile, loaded };
}

export function configFor(opts: { remediation?: Record<string, unknown>; protected?: unknown[] } = {}): Record<string, unknown> {
  return {
    database: 'test.duckdb',
    sources: [{ name: 'fake1', type: 'fake', options: { state_file: 'provider.json' } }],
    authority: { required: false },
    protected: opts.protected ?? [{ ref: 'break-glass-*', reason: 'break-glass account' }],
    remediation: {
      max_actions: 10,
      max_fraction: 0.5,
      min_consecutive_runs: 2,
      actions: [
        { rule: 'stale-credential', operation: 'deactivate-key', then: { operation: 'delete-key', after_days: 14 } },
        { rule: 'ungranted-access', operation: 'detach-policy' },
        { rule: 'leaked-credential', operation: 'revoke-token' },
        { rule: 'orphaned-identity', operation: 'disable-user' },
      ],
      ...opts.remediation,
    },
  };
}

export interface FindingSpec {
  rule: string;
  subject: 'identity' | 'credential' | 'entitlement' | 'grant';
  ref: string;
  severity?: string;
  identity_ref?: string | null;
  carried?: boolean;
  owner_status?: string | null;
  suppressed_by?: string | null;
}

export const findingId = (f: Pick<FindingSpec, 'rule' | 'ref'>) => 'f-' + createHash('sha256').update(`${f.rule}|${f.ref}`).digest('hex').slice(0, 12);

/** One scan: collect from the fake provider, then write the given findings the way the reconciler does. */
export async function scan(store: Store, loaded: LoadedConfig, findings: FindingSpec[], opts: { authority?: 'complete' | 'failed'; now?: Date } = {}): Promise<string> {
  const { runId } = await collectRun(store, loaded, opts.now ? { now: opts.now } : {});
  const prev = await store.value(`SELECT run_id FROM runs WHERE seq < (SELECT seq FROM runs WHERE run_id = $1) ORDER BY seq DESC LIMIT 1`, [runId]);
  for (const f of findings) {
    const id = findingId(f);
    const before = prev ? await store.value(`SELECT 1 FROM findings WHERE run_id = $1 AND finding_id = $2`, [prev as string, id]) : undefined;
    await store.run(
      `INSERT INTO findings_stage (run_id, finding_id, rule_id, severity, status, provider, tenant, source, subject_type, subject_ref, identity_ref,
         owner_status, reason, evidence, first_seen, last_seen, carried, suppressed_by)
       VALUES ($1, $2, $3, $4, $5, 'fake', 'acme', 'fake1', $6, $7, $8, $9, $10, '{}', now(), now(), $11, $12)`,
      [runId, id, f.rule, f.severity ?? 'high', before ? 'open' : 'new', f.subject, f.ref, f.identity_ref ?? null, f.owner_status ?? null,
        `${f.ref} is ${f.rule}.`, f.carried ?? false, f.suppressed_by ?? null]);
  }
  const authority = opts.authority ?? 'complete';
  await store.run(`UPDATE runs SET stage = 'reconcile', state = 'reconciled', reconciled_at = now(), authority_status = $2, authority_error = $3 WHERE run_id = $1`,
    [runId, authority, authority === 'failed' ? 'grants.yaml:7 expires_at: not a valid date' : null]);
  return runId;
}

export const STALE_KEY1: FindingSpec = { rule: 'stale-credential', subject: 'credential', ref: 'key-1', identity_ref: 'svc-1' };
export const UNGRANTED_ADMIN: FindingSpec = { rule: 'ungranted-access', subject: 'entitlement', ref: 'svc-4|AdministratorAccess', identity_ref: 'svc-4', severity: 'critical' };
