// Finds the connector and builds the connector context for a configured source, for remediation calls.
// Remediation never uses the HTTP cache: a cached body is never evidence that a target is still there or gone.
import type { LoadedConfig } from '../config/load.js';
import type { Source } from '../config/schema.js';
import { loadConnector } from '../connectors/registry.js';
import type { ActionSpec, Connector, ConnectorContext, Remediation, Target, TargetState } from '../connectors/types.js';
import { buildContext } from '../pipeline/collect.js';
import type { Logger } from '../log.js';

export interface SourceHandle {
  source: Source;
  connector: Connector<unknown>;
  remediation: Remediation<unknown> | undefined;
  ctx: ConnectorContext<unknown>;
}

export class Sources {
  private readonly cache = new Map<string, Promise<SourceHandle | { error: string }>>();
  constructor(private readonly loaded: LoadedConfig, private readonly opts: { runId: string; log: Logger; now: Date; env?: NodeJS.ProcessEnv; signal?: AbortSignal }) {}

  /** The handle of a configured source, or an error sentence (source no longer configured, connector missing). */
  get(name: string): Promise<SourceHandle | { error: string }> {
    let p = this.cache.get(name);
    if (!p) this.cache.set(name, (p = this.load(name)));
    return p;
  }

  private async load(name: string): Promise<SourceHandle | { error: string }> {
    const source = this.loaded.config.sources.find((s) => s.name === name);
    if (!source) return { error: `source "${name}" is no longer in the config` };
    let connector: Connector<unknown>;
    try { connector = await loadConnector(source.type); } catch (e) { return { error: (e as Error).message }; }
    const options = this.loaded.sourceOptions.get(name);
    const ctx = buildContext(source, options, {
      runId: this.opts.runId, log: this.opts.log, now: this.opts.now, env: this.opts.env ?? process.env,
      signal: this.opts.signal ?? new AbortController().signal, cache: null,
    });
    return { source, connector, remediation: connector.remediation, ctx };
  }
}

export function isHandle(h: SourceHandle | { error: string }): h is SourceHandle {
  return !('error' in h);
}

/** The connector's action for `operation` that fits this subject and kind, or why none does. */
export function findSpec(h: SourceHandle, operation: string, subject: Target['subject'], kind: string | null): ActionSpec | string {
  if (!h.remediation) return `connector ${h.connector.id} supports no remediation`;
  const spec = h.remediation.actions.find((a) => a.operation === operation);
  if (!spec) return `connector ${h.connector.id} has no operation "${operation}" (it has: ${h.remediation.actions.map((a) => a.operation).join(', ') || 'none'})`;
  if (spec.subject !== subject) return `operation ${operation} acts on a ${spec.subject}, but this finding is about a ${subject}`;
  if (spec.kinds?.length && (!kind || !spec.kinds.includes(kind))) return `operation ${operation} applies to ${spec.kinds.join(', ')}, not to ${kind ?? 'an unknown kind'}`;
  return spec;
}

/** TargetState with dates as ISO strings, for the journal and the plan. */
export function stateJson(s: TargetState): Record<string, unknown> {
  return { exists: s.exists, active: s.active, last_used_at: s.last_used_at ? s.last_used_at.toISOString() : null, state: s.state };
}

export function stateFromJson(j: Record<string, unknown>): TargetState {
  const lu = j.last_used_at;
  return {
    exists: Boolean(j.exists), active: Boolean(j.active),
    last_used_at: typeof lu === 'string' ? new Date(lu) : null,
    state: (j.state as Record<string, unknown>) ?? {},
  };
}
