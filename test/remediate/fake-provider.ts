// A fake provider for the remediation engine's tests: its whole state lives in one JSON file (so a child process
// killed mid-apply leaves it exactly as a real provider would be), and every mutating call is logged in it, which is
// how the tests prove nothing ran twice. Registered as connector type "fake" through the test-only registry hook.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { registerConnector } from '../../src/connectors/registry.js';
import { NotReversibleError, type Connector, type Target, type TargetState } from '../../src/connectors/types.js';

export interface FakeKey { ref: string; identity_ref: string; kind: 'access_key' | 'pat'; status: 'active' | 'inactive'; deleted?: boolean; created_at: string; last_used_at: string | null }
export interface FakeUser { ref: string; name: string; human: boolean; disabled: boolean; created_at: string; last_used_at?: string | null }
export interface FakeAttachment { identity_ref: string; policy: string; level: 'read' | 'write' | 'admin'; attached: boolean }
export interface FakeState {
  tenant: string;
  users: FakeUser[];
  keys: FakeKey[];
  attachments: FakeAttachment[];
  /** Every mutating call, in order: the proof of "exactly once". */
  calls: { op: string; ref: string }[];
  /** Refs whose execute is accepted but has no effect (verification must fail). */
  ignore_execute?: string[];
  /** Refs whose read throws (the provider is down for them). */
  fail_read?: string[];
  /** Make collection partial. */
  partial?: boolean;
}

export function readState(file: string): FakeState { return JSON.parse(readFileSync(file, 'utf8')) as FakeState; }
export function writeState(file: string, s: FakeState): void {
  // Atomic like a provider's own write: a kill never leaves a half-written state.
  writeFileSync(`${file}.tmp`, JSON.stringify(s, null, 1));
  renameSync(`${file}.tmp`, file);
}
export function mutate(file: string, fn: (s: FakeState) => void): FakeState { const s = readState(file); fn(s); writeState(file, s); return s; }

const Options = z.strictObject({ state_file: z.string() });
type Options = z.infer<typeof Options>;
export const entRef = (a: Pick<FakeAttachment, 'identity_ref' | 'policy'>) => `${a.identity_ref}|${a.policy}`;

function find(s: FakeState, t: Target): { key?: FakeKey; user?: FakeUser; att?: FakeAttachment } {
  if (t.subject === 'credential') return { key: s.keys.find((k) => k.ref === t.ref && !k.deleted) };
  if (t.subject === 'identity') return { user: s.users.find((u) => u.ref === t.ref) };
  return { att: s.attachments.find((a) => entRef(a) === t.ref) };
}

function readTarget(file: string, t: Target): TargetState {
  const s = readState(file);
  if (s.fail_read?.includes(t.ref)) throw new Error(`503 Service Unavailable reading ${t.ref}`);
  const { key, user, att } = find(s, t);
  if (t.subject === 'credential') {
    return key ? { exists: true, active: key.status === 'active', last_used_at: key.last_used_at ? new Date(key.last_used_at) : null, state: { status: key.status } }
      : { exists: false, active: false, last_used_at: null, state: {} };
  }
  if (t.subject === 'identity') {
    return user ? { exists: true, active: !user.disabled, last_used_at: user.last_used_at ? new Date(user.last_used_at) : null, state: { disabled: user.disabled } }
      : { exists: false, active: false, last_used_at: null, state: {} };
  }
  return att && att.attached ? { exists: true, active: true, last_used_at: null, state: { policy: att.policy, identity: att.identity_ref } }
    : { exists: false, active: false, last_used_at: null, state: {} };
}

export const fakeConnector: Connector<Options> = {
  id: 'fake',
  provider: 'fake',
  description: 'In-memory provider for the remediation tests.',
  collects: { identities: ['user', 'service_account'], credentials: ['access_key', 'pat'], entitlements: true },
  options: Options,
  async tenants(ctx) { return [readState(ctx.options.state_file).tenant]; },
  async collect(ctx, _tenant, sink) {
    const s = readState(ctx.options.state_file);
    for (const u of s.users) {
      sink.identity({ ref: u.ref, kind: u.human ? 'user' : 'service_account', name: u.name, login: u.name, human: u.human, disabled: u.disabled,
        created_at: new Date(u.created_at), last_used_at: u.last_used_at ? new Date(u.last_used_at) : null });
    }
    for (const k of s.keys) {
      if (k.deleted) continue;
      sink.credential({ ref: k.ref, kind: k.kind, name: k.ref, identity_ref: k.identity_ref, status: k.status, created_at: new Date(k.created_at),
        last_used_at: k.last_used_at ? new Date(k.last_used_at) : null, attributes: { note: 'metadata only' } });
    }
    for (const a of s.attachments) {
      if (!a.attached) continue;
      sink.entitlement({ ref: entRef(a), identity_ref: a.identity_ref, resource_ref: '*', permission: a.policy, level: a.level, privileged: a.level === 'admin' });
    }
    if (s.partial) sink.partial('403 on one scope');
  },
  remediation: {
    actions: [
      { operation: 'deactivate-key', kind: 'disable', subject: 'credential', kinds: ['access_key'], reversible: true, description: 'Sets the key inactive.' },
      { operation: 'delete-key', kind: 'delete', subject: 'credential', kinds: ['access_key'], reversible: false, description: 'Deletes the key.' },
      { operation: 'revoke-token', kind: 'revoke', subject: 'credential', kinds: ['pat'], reversible: false, description: 'Revokes a token (no disable exists).' },
      { operation: 'detach-policy', kind: 'revoke', subject: 'entitlement', reversible: true, description: 'Detaches the policy.' },
      { operation: 'disable-user', kind: 'disable', subject: 'identity', reversible: true, description: 'Disables the user.' },
    ],
    async read(ctx, t) { return readTarget(ctx.options.state_file, t); },
    async execute(ctx, op, t) {
      const s = mutate(ctx.options.state_file, (s) => {
        s.calls.push({ op, ref: t.ref });
        if (s.ignore_execute?.includes(t.ref)) return;
        const { key, user, att } = find(s, t);
        if (op === 'deactivate-key' && key) key.status = 'inactive';
        else if ((op === 'delete-key' || op === 'revoke-token') && key) key.deleted = true;
        else if (op === 'detach-policy' && att) att.attached = false;
        else if (op === 'disable-user' && user) user.disabled = true;
        else throw new Error(`404 ${t.ref} not found`);
      });
      return { call: op, calls_so_far: s.calls.length };
    },
    async verify(ctx, op, t) {
      const st = readTarget(ctx.options.state_file, t);
      const gone = op === 'delete-key' || op === 'revoke-token' || op === 'detach-policy' ? !st.exists : st.exists && !st.active;
      return { ok: gone, evidence: { read: { exists: st.exists, active: st.active, ...st.state } } };
    },
    async rollback(ctx, op, t, before) {
      if (op === 'delete-key' || op === 'revoke-token') throw new NotReversibleError(`a deleted ${t.kind ?? 'key'} cannot be restored`);
      mutate(ctx.options.state_file, (s) => {
        s.calls.push({ op: `rollback:${op}`, ref: t.ref });
        const key = s.keys.find((k) => k.ref === t.ref && !k.deleted);
        const user = s.users.find((u) => u.ref === t.ref);
        const att = s.attachments.find((a) => entRef(a) === t.ref);
        if (op === 'deactivate-key' && key) key.status = (before.state.status as FakeKey['status']) ?? 'active';
        else if (op === 'detach-policy' && att) att.attached = true;
        else if (op === 'disable-user' && user) user.disabled = Boolean(before.state.disabled);
        else throw new Error(`404 ${t.ref} not found`);
      });
      return { restored: op };
    },
  },
};

let registered = false;
/** Registers the fake connector once per process. */
export function registerFake(): void {
  if (registered) return;
  registerConnector('fake', async () => ({ connector: fakeConnector as Connector<any> }));
  registered = true;
}
