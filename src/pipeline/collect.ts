// Collection: runs every configured source's connector, tenant by tenant, streaming records into the run.
// A tenant ends complete, partial or failed, and that status travels with its rows: incomplete never means empty.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { LoadedConfig } from '../config/load.js';
import type { Source } from '../config/schema.js';
import { loadConnector } from '../connectors/registry.js';
import type { Connector, ConnectorContext, HttpContext, TenantSink } from '../connectors/types.js';
import { HttpCache } from '../connectors/http/cache.js';
import { DEFAULT_RETRY, newCounters } from '../connectors/http/fetch.js';
import type { SourceStatus } from '../model/index.js';
import { normalizeCredential, normalizeEntitlement, normalizeIdentity, type Normalized } from '../model/normalize.js';
import type { Store } from '../store/store.js';
import type { RecordWriter } from '../store/writer.js';
import type { Logger } from '../log.js';
import { UserError } from '../errors.js';
import { isSecretName, METADATA_NAME, normaliseName, redact } from '../log.js';
import { judgeCollections, recordDecisions, type GuardOptions } from './guards.js';

export interface Shard { index: number; total: number }

export interface CollectOptions extends GuardOptions {
  runId: string;
  log: Logger;
  now?: Date;
  /** Only these source names. */
  only?: string[];
  /** Only these tenants (explicit shard). */
  tenants?: string[];
  shard?: Shard;
  /** Ignore the ETag cache (a scheduled full collection). */
  fullCollection?: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  onProgress?: (ev: ProgressEvent) => void;
  /** How many tenants of one source are collected at once. */
  tenantConcurrency?: number;
}

export interface ProgressEvent { source: string; tenant: string; phase: 'start' | 'rows' | 'end'; rows: number; status?: SourceStatus }

export interface TenantOutcome {
  source: string; provider: string; tenant: string; status: SourceStatus; error: string | null;
  rows: number; api_calls: number; cached_calls: number; rate_budget_used: number;
}

/** Stable assignment of a tenant to a shard, the same on every machine. */
export function shardOf(source: string, tenant: string, total: number): number {
  const h = createHash('sha256').update(`${source}/${tenant}`).digest();
  return (h.readUInt32BE(0) % total) + 1;
}

export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new UserError(`--shard takes I/N (e.g. 1/4), got "${s}"`);
  const index = Number(m[1]), total = Number(m[2]);
  if (total < 1 || index < 1 || index > total) throw new UserError(`--shard ${s}: I must be between 1 and N`);
  return { index, total };
}

export function buildContext<O>(source: Source, options: O, opts: { runId: string; log: Logger; now: Date; env: NodeJS.ProcessEnv; signal: AbortSignal; cache: HttpCache | null }): ConnectorContext<O> {
  return {
    runId: opts.runId,
    source: { name: source.name, type: source.type, tenants: source.tenants },
    options,
    log: opts.log.child({ source: source.name }),
    now: opts.now,
    env: opts.env,
    signal: opts.signal,
    http: (): HttpContext => ({
      counters: newCounters(),
      cache: opts.cache,
      retry: { ...DEFAULT_RETRY, retries: source.retries, timeoutMs: source.timeout_seconds * 1000 },
      concurrency: source.concurrency,
    }),
  };
}

export async function collect(store: Store, loaded: LoadedConfig, opts: CollectOptions): Promise<TenantOutcome[]> {
  const now = opts.now ?? new Date();
  const sources = loaded.config.sources.filter((s) => s.enabled && (!opts.only?.length || opts.only.includes(s.name)));
  if (opts.only?.length) {
    const unknown = opts.only.filter((n) => !loaded.config.sources.some((s) => s.name === n));
    if (unknown.length) throw new UserError(`--only names unknown source(s): ${unknown.join(', ')}`);
  }
  const writers = {
    identities: await store.writer('identities'),
    credentials: await store.writer('credentials'),
    entitlements: await store.writer('entitlements'),
  };
  const outcomes: TenantOutcome[] = [];
  try {
    await Promise.all(sources.map(async (source) => {
      outcomes.push(...await collectSource(store, loaded, source, writers, opts, now));
    }));
  } finally {
    for (const w of Object.values(writers)) w.close();
  }
  // Plausibility: a tenant that answered with far less than its last complete collection is suspect, not emptied.
  await recordDecisions(store, opts.runId, await judgeCollections(store, loaded, opts.runId, outcomes, { ...opts, now }));
  const srw = await store.writer('source_runs');
  for (const o of outcomes) {
    srw.append({ run_id: opts.runId, source: o.source, provider: o.provider, tenant: o.tenant, status: o.status, api_calls: o.api_calls,
      cached_calls: o.cached_calls, rate_budget_used: o.rate_budget_used, rows: o.rows, started_at: now, finished_at: new Date(), error: o.error });
  }
  srw.close();
  return outcomes;
}

type Writers = Record<'identities' | 'credentials' | 'entitlements', RecordWriter>;

async function collectSource(store: Store, loaded: LoadedConfig, source: Source, writers: Writers, opts: CollectOptions, now: Date): Promise<TenantOutcome[]> {
  const log = opts.log.child({ source: source.name });
  let connector: Connector<unknown>;
  try {
    connector = await loadConnector(source.type);
  } catch (e) {
    return [failed(source, source.type, '*', e)];
  }
  const cache = source.cache && !opts.fullCollection ? await HttpCache.load(store, source.name) : null;
  const ctx = buildContext(source, loaded.sourceOptions.get(source.name), {
    runId: opts.runId, log, now, env: opts.env ?? process.env, signal: opts.signal ?? new AbortController().signal, cache,
  });
  try {
    await connector.validate?.(ctx);
  } catch (e) {
    log.error(`source ${source.name} failed validation: ${(e as Error).message}`);
    return [failed(source, connector.provider, '*', e)];
  }
  let tenants: string[];
  try {
    tenants = await connector.tenants(ctx);
  } catch (e) {
    log.error(`source ${source.name}: cannot list tenants: ${(e as Error).message}`);
    return [failed(source, connector.provider, '*', e)];
  }
  if (opts.tenants?.length) tenants = tenants.filter((t) => opts.tenants!.includes(t));
  if (opts.shard) tenants = tenants.filter((t) => shardOf(source.name, t, opts.shard!.total) === opts.shard!.index);

  const provider = connector.providerFor?.(ctx.options) ?? connector.provider;
  const limit = pLimit(opts.tenantConcurrency ?? 4);
  const out = await Promise.all(tenants.map((tenant) => limit(async (): Promise<TenantOutcome> => {
    const http = ctx.http(tenant);
    const base = { run_id: opts.runId, source: source.name, provider, tenant };
    let rows = 0;
    const partial: string[] = [];
    const where = (kind: string, rec: { ref?: unknown }) => `${source.name}/${tenant} ${kind} ${typeof rec.ref === 'string' ? rec.ref : '(no ref)'}`;
    const emit = (w: RecordWriter, kind: string, normalize: (r: unknown) => Normalized<object>, rec: unknown) => {
      const parsed = normalize(rec);
      if (!parsed.ok) {
        // An odd record is reported and the tenant marked partial; it is never silently dropped.
        const msg = `${where(kind, rec as { ref?: unknown })}: ${parsed.error}`;
        partial.push(msg);
        log.warn(`dropped malformed record: ${msg}`);
        return;
      }
      const value = parsed.value as Record<string, unknown>;
      if (value.attributes) value.attributes = scrubAttributes(value.attributes);
      w.append(value, base);
      if (++rows % 10_000 === 0) opts.onProgress?.({ source: source.name, tenant, phase: 'rows', rows });
    };
    const sink: TenantSink = {
      identity: (r) => emit(writers.identities, 'identity', normalizeIdentity, r),
      credential: (r) => emit(writers.credentials, 'credential', normalizeCredential, r),
      entitlement: (r) => emit(writers.entitlements, 'entitlement', normalizeEntitlement, r),
      partial: (reason) => { partial.push(reason); log.warn(`tenant ${tenant} incomplete: ${reason}`); },
      http,
    };
    opts.onProgress?.({ source: source.name, tenant, phase: 'start', rows: 0 });
    let status: SourceStatus = 'complete';
    let error: string | null = null;
    try {
      await connector.collect(ctx, tenant, sink);
      if (partial.length) { status = 'partial'; error = summarise(partial); }
    } catch (e) {
      status = 'failed';
      error = summarise([...partial, (e as Error).message]);
      log.error(`tenant ${tenant} failed: ${(e as Error).message}`);
    }
    opts.onProgress?.({ source: source.name, tenant, phase: 'end', rows, status });
    return { source: source.name, provider, tenant, status, error, rows,
      api_calls: http.counters.calls, cached_calls: http.counters.cached, rate_budget_used: http.counters.rateBudgetUsed };
  })));
  if (cache) await cache.save(store);
  if (out.length === 0 && !opts.shard && !opts.tenants?.length) {
    // A source that finds no tenant at all is a configuration or permission problem, not an empty estate.
    return [failed(source, connector.provider, '*', new Error('no tenants found in scope'))];
  }
  return out;
}

function failed(source: Source, provider: string, tenant: string, e: unknown): TenantOutcome {
  return { source: source.name, provider, tenant, status: 'failed', error: redact((e as Error).message ?? String(e)), rows: 0, api_calls: 0, cached_calls: 0, rate_budget_used: 0 };
}

// Errors are stored (source_runs.error) and copied into every report: a credential an SDK quotes is masked first.
function summarise(msgs: string[]): string {
  return redact(msgs.length <= 5 ? msgs.join('; ') : `${msgs.slice(0, 5).join('; ')}; … and ${msgs.length - 5} more`);
}

/**
 * Attribute names that hold a secret value: any name containing password/secret/token/key/passphrase/pwd/credential
 * (isSecretName: `db_password`, `aws_secret_access_key`, `apiKey`, …), and the bare `value`/`pin`. Names of metadata
 * about a secret (`key_id`, `secret_name`, `token_expires_at`, `key_fingerprint`, `public_key` …) are kept.
 */
const isSecretAttribute = (k: string) => {
  // A policy condition key (`token.actions.githubusercontent.com:sub`, `sts:ExternalId`) names an issuer and a claim:
  // only the claim says whether the value is secret, not the issuer's host.
  const name = /^[a-z0-9][a-z0-9.-]*(\/[^:]*)?:[A-Za-z_][\w.-]*$/i.test(k) ? k.slice(k.lastIndexOf(':') + 1) : k;
  return isSecretName(name) || /^(value|pin|pass)$/i.test(name);
};

/**
 * Defence in depth for what no connector should pass on: a payload field named like a secret (an export with a
 * `password` column), at any depth, or a string that looks like a token is replaced before it reaches the database.
 * Below a secret-named key every value is a secret except metadata-named ones; the keys of a `permissions` map are
 * permission names (`secrets: read`), not secrets.
 */
export function scrubAttributes(v: unknown, depth = 0, inSecret = false, inPermissions = false): unknown {
  if (typeof v === 'string') return inSecret && v !== '' ? '[redacted]' : redact(v);
  if (typeof v === 'number' || typeof v === 'bigint') return inSecret ? '[redacted]' : v;
  if (depth > 20) return inSecret ? '[redacted]' : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => scrubAttributes(x, depth + 1, inSecret));
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, x] of Object.entries(v)) {
    const meta = isMetadataName(k);
    const secret = !inPermissions && !meta && (inSecret || isSecretAttribute(k));
    out[k] = scrubAttributes(x, depth + 1, secret, /(^|_)permissions$/i.test(k));
  }
  return { ...out };
}

/** A name that says it holds metadata (an id, a date, a type …), kept even below a secret-named key. */
const isMetadataName = (k: string) => METADATA_NAME.test(normaliseName(k));
