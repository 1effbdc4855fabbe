// GCP remediation. Every action reads first, acts with what it read (allow-policy changes are a read-modify-write
// on the etag of that read: a concurrent change makes setIamPolicy fail and nothing is overwritten), and is verified
// by reading the target back. Reversible actions come first; a key is deleted only once it is already disabled.
import { NotReversibleError, type ActionSpec, type ConnectorContext, type Remediation, type Target, type TargetState, type Verification } from '../types.js';
import { apiError, createClients, describe, isNotFound, NO_RETRY, type GcpClients } from './clients.js';
import { etagString } from './collect.js';
import { keyExpiry, tsOf } from './map.js';
import { AllowPolicy } from './schema.js';
import type { GcpOptions } from './options.js';

type Ctx = ConnectorContext<GcpOptions>;

export const ACTIONS: ActionSpec[] = [
  { operation: 'disable-sa-key', kind: 'disable', subject: 'credential', kinds: ['sa_key'], reversible: true,
    description: 'Disable a user-managed service-account key (keys.disable); re-enabled by rollback.' },
  { operation: 'delete-sa-key', kind: 'delete', subject: 'credential', kinds: ['sa_key'], reversible: false,
    description: 'Delete a service-account key that is already disabled (the follow-up after the grace period).' },
  { operation: 'disable-service-account', kind: 'disable', subject: 'identity', kinds: ['service_account'], reversible: true,
    description: 'Disable a service account (serviceAccounts.disable); re-enabled by rollback.' },
  { operation: 'remove-binding-member', kind: 'revoke', subject: 'entitlement', reversible: true,
    description: 'Remove the member from the role binding of a project, folder, organisation or secret allow policy (read-modify-write on the etag).' },
  { operation: 'disable-secret-versions', kind: 'disable', subject: 'credential', kinds: ['stored_secret'], reversible: true,
    description: 'Opt-in: disable every enabled version of a Secret Manager secret (etag-checked); re-enabled by rollback.' },
  { operation: 'rotate-secret-now', kind: 'rotate', subject: 'credential', kinds: ['stored_secret'], reversible: false,
    description: "Opt-in: trigger the secret's own rotation now (next_rotation_time in 5 minutes) where rotation is configured." },
];

async function withClients<T>(ctx: Ctx, target: Target, fn: (c: GcpClients) => Promise<T>): Promise<T> {
  const c = await createClients(ctx, ctx.http(target.tenant));
  return c.run(() => fn(c));
}

const absent = (state: Record<string, unknown> = {}): TargetState => ({ exists: false, active: false, last_used_at: null, state });

// ---------- reads ----------

async function readKey(c: GcpClients, target: Target, now: Date): Promise<TargetState> {
  try {
    const { data } = await c.iam.projects.serviceAccounts.keys.get({ name: target.ref });
    const exp = keyExpiry(data.validBeforeTime);
    return { exists: true, active: !data.disabled && !(exp && exp <= now), last_used_at: null,
      state: { name: data.name, disabled: !!data.disabled, disable_reason: data.disableReason ?? null, valid_after: data.validAfterTime ?? null, valid_before: data.validBeforeTime ?? null } };
  } catch (e) { if (isNotFound(e)) return absent({ name: target.ref }); throw e; }
}

async function readServiceAccount(c: GcpClients, target: Target): Promise<TargetState> {
  try {
    const { data } = await c.iam.projects.serviceAccounts.get({ name: target.ref });
    return { exists: true, active: !data.disabled, last_used_at: null, state: { name: data.name, email: data.email, unique_id: data.uniqueId, disabled: !!data.disabled } };
  } catch (e) { if (isNotFound(e)) return absent({ name: target.ref }); throw e; }
}

async function readSecret(c: GcpClients, target: Target): Promise<TargetState> {
  let secret;
  try { [secret] = await c.secrets.getSecret({ name: target.ref }, NO_RETRY); } catch (e) { if (isNotFound(e)) return absent({ name: target.ref }); throw e; }
  const versions: { name: string; state: string; etag: string | null }[] = [];
  let pageToken: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const [items, next] = await c.secrets.listSecretVersions({ parent: target.ref, pageSize: 1000, pageToken }, NO_RETRY);
    for (const v of items) versions.push({ name: v.name!, state: String(v.state), etag: v.etag || null });
    if (!next?.pageToken) break;
    pageToken = next.pageToken;
  }
  const next = tsOf(secret.rotation?.nextRotationTime);
  return {
    exists: true, active: versions.some((v) => v.state === 'ENABLED'), last_used_at: null,
    state: { name: secret.name, etag: secret.etag || null, versions, rotation_configured: !!(secret.rotation?.rotationPeriod || secret.rotation?.nextRotationTime),
      next_rotation_time: next?.toISOString() ?? null },
  };
}

interface BindingTarget { resource: string; member: string; role: string; condition: string | null }

function bindingTarget(target: Target): BindingTarget {
  const a = (target.attributes ?? {}) as { policy_resource?: string; member?: string; condition?: { expression?: string } | null };
  const resource = a.policy_resource ?? (target.resource_ref ?? '').replace(/^\/\/cloudresourcemanager\.googleapis\.com\//, '');
  if (!resource || !a.member || !target.permission) throw new Error(`entitlement ${target.ref} lacks policy_resource, member or role: cannot locate its binding`);
  return { resource, member: a.member, role: target.permission, condition: a.condition?.expression ?? null };
}

async function getPolicy(c: GcpClients, resource: string) {
  const req = { resource, options: { requestedPolicyVersion: 3 } };
  if (resource.startsWith('folders/')) return (await c.folders.getIamPolicy(req, NO_RETRY))[0];
  if (resource.startsWith('organizations/')) return (await c.organizations.getIamPolicy(req, NO_RETRY))[0];
  if (/^projects\/[^/]+\/secrets\/[^/]+$/.test(resource)) return (await c.secrets.getIamPolicy(req, NO_RETRY))[0];
  return (await c.projects.getIamPolicy(req, NO_RETRY))[0];
}

async function setPolicy(c: GcpClients, resource: string, policy: { version: number; etag: string | null; bindings: PolicyBinding[] }) {
  const req = { resource, policy: { version: policy.version, etag: policy.etag ?? undefined, bindings: policy.bindings } };
  try {
    if (resource.startsWith('folders/')) return (await c.folders.setIamPolicy(req, NO_RETRY))[0];
    if (resource.startsWith('organizations/')) return (await c.organizations.setIamPolicy(req, NO_RETRY))[0];
    if (/^projects\/[^/]+\/secrets\/[^/]+$/.test(resource)) return (await c.secrets.setIamPolicy(req, NO_RETRY))[0];
    return (await c.projects.setIamPolicy(req, NO_RETRY))[0];
  } catch (e) {
    const a = apiError(e);
    if (a.status === 409 || a.status === 412 || a.grpcStatus === 'ABORTED') {
      throw new Error(`the allow policy of ${resource} changed since it was read (etag mismatch); nothing was changed — collect and plan again`);
    }
    throw e;
  }
}

interface PolicyBinding { role: string; members: string[]; condition?: { title?: string; expression: string } }

const sameBinding = (b: PolicyBinding, t: BindingTarget) => b.role === t.role && (b.condition?.expression ?? null) === t.condition;

async function readBinding(c: GcpClients, target: Target): Promise<TargetState> {
  const t = bindingTarget(target);
  let raw;
  try { raw = await getPolicy(c, t.resource); } catch (e) { if (isNotFound(e)) return absent({ policy_resource: t.resource }); throw e; }
  const p = AllowPolicy.parse(raw);
  const bindings: PolicyBinding[] = p.bindings.map((b) => ({ role: b.role, members: b.members, ...(b.condition ? { condition: b.condition } : {}) }));
  const present = bindings.some((b) => sameBinding(b, t) && b.members.includes(t.member));
  return { exists: present, active: present, last_used_at: null,
    state: { policy_resource: t.resource, etag: etagString(raw.etag), version: p.version ?? 1, member: t.member, role: t.role, condition: t.condition, bindings } };
}

async function read(ctx: Ctx, target: Target): Promise<TargetState> {
  return withClients(ctx, target, (c) => readWith(ctx, c, target));
}

function readWith(ctx: Ctx, c: GcpClients, target: Target): Promise<TargetState> {
  if (target.subject === 'credential' && target.kind === 'sa_key') return readKey(c, target, ctx.now);
  if (target.subject === 'credential' && target.kind === 'stored_secret') return readSecret(c, target);
  if (target.subject === 'identity' && target.kind === 'service_account') return readServiceAccount(c, target);
  if (target.subject === 'entitlement') return readBinding(c, target);
  throw new Error(`gcp cannot read a ${target.subject} of kind ${target.kind ?? '(none)'}`);
}

// ---------- actions ----------

async function execute(ctx: Ctx, operation: string, target: Target, before: TargetState): Promise<Record<string, unknown>> {
  if (!before.exists) return { skipped: 'target no longer exists' };
  return withClients(ctx, target, async (c) => {
    switch (operation) {
      case 'disable-sa-key':
        await c.iam.projects.serviceAccounts.keys.disable({ name: target.ref, requestBody: {} });
        return { disabled: target.ref };
      case 'delete-sa-key':
        // Delete follows disable: an enabled key is never deleted in one step.
        if (before.state.disabled !== true) throw new Error(`key ${target.ref} is still enabled: disable it first and delete after the grace period`);
        await c.iam.projects.serviceAccounts.keys.delete({ name: target.ref });
        return { deleted: target.ref };
      case 'disable-service-account':
        await c.iam.projects.serviceAccounts.disable({ name: target.ref, requestBody: {} });
        return { disabled: target.ref };
      case 'remove-binding-member': {
        const s = before.state as { policy_resource: string; etag: string | null; version: number; member: string; role: string; condition: string | null; bindings: PolicyBinding[] };
        const t = { resource: s.policy_resource, member: s.member, role: s.role, condition: s.condition };
        const bindings = s.bindings
          .map((b) => (sameBinding(b, t) ? { ...b, members: b.members.filter((m) => m !== t.member) } : b))
          .filter((b) => b.members.length > 0);
        // The etag of the before-read: if anyone changed the policy since, the write is refused.
        await setPolicy(c, t.resource, { version: Math.max(3, s.version), etag: s.etag, bindings });
        return { removed: { member: t.member, role: t.role, condition: t.condition, from: t.resource } };
      }
      case 'disable-secret-versions': {
        const versions = (before.state.versions as { name: string; state: string; etag: string | null }[]).filter((v) => v.state === 'ENABLED');
        const done: string[] = [];
        for (const v of versions) {
          try {
            await c.secrets.disableSecretVersion({ name: v.name, ...(v.etag ? { etag: v.etag } : {}) }, NO_RETRY);
          } catch (e) {
            const a = apiError(e);
            const why = a.status === 409 || a.grpcStatus === 'ABORTED' ? 'it changed since it was read (etag mismatch)' : describe(e);
            throw new Error(`disabling ${v.name} failed: ${why}; already disabled: ${done.join(', ') || 'none'}`);
          }
          done.push(v.name);
        }
        return { disabled_versions: done };
      }
      case 'rotate-secret-now': {
        if (!before.state.rotation_configured) throw new Error(`secret ${target.ref} has no rotation configured: nothing would rotate it`);
        // The API refuses a next rotation less than 5 minutes ahead.
        const at = new Date(Date.now() + 5 * 60_000 + 30_000);
        await c.secrets.updateSecret({ secret: { name: target.ref, rotation: { nextRotationTime: { seconds: Math.floor(at.getTime() / 1000) } } }, updateMask: { paths: ['rotation.next_rotation_time'] } }, NO_RETRY);
        return { next_rotation_time: at.toISOString() };
      }
      default:
        throw new Error(`unknown gcp operation ${operation}`);
    }
  });
}

async function verify(ctx: Ctx, operation: string, target: Target): Promise<Verification> {
  const after = await read(ctx, target);
  const evidence: Record<string, unknown> = { exists: after.exists, active: after.active, ...after.state };
  switch (operation) {
    case 'disable-sa-key':
    case 'disable-service-account':
      return { ok: !after.exists || after.state.disabled === true, evidence };
    case 'delete-sa-key':
      return { ok: !after.exists, evidence };
    case 'remove-binding-member':
    case 'disable-secret-versions':
      return { ok: !after.active, evidence };
    case 'rotate-secret-now': {
      const next = after.state.next_rotation_time ? new Date(after.state.next_rotation_time as string) : null;
      return { ok: !!next && next.getTime() <= Date.now() + 10 * 60_000, evidence };
    }
    default:
      return { ok: false, evidence: { ...evidence, error: `unknown operation ${operation}` } };
  }
}

async function rollback(ctx: Ctx, operation: string, target: Target, before: TargetState): Promise<Record<string, unknown>> {
  return withClients(ctx, target, async (c) => {
    switch (operation) {
      case 'disable-sa-key':
        if (before.state.disabled) return { unchanged: 'key was already disabled before' };
        await c.iam.projects.serviceAccounts.keys.enable({ name: target.ref, requestBody: {} });
        return { enabled: target.ref };
      case 'disable-service-account':
        if (before.state.disabled) return { unchanged: 'account was already disabled before' };
        await c.iam.projects.serviceAccounts.enable({ name: target.ref, requestBody: {} });
        return { enabled: target.ref };
      case 'remove-binding-member': {
        const s = before.state as { policy_resource: string; member: string; role: string; condition: string | null; bindings: PolicyBinding[] };
        const t = { resource: s.policy_resource, member: s.member, role: s.role, condition: s.condition };
        const now = await readBinding(c, target);
        if (now.active) return { unchanged: 'member is bound again already' };
        const bindings = [...(now.state.bindings as PolicyBinding[])];
        const i = bindings.findIndex((b) => sameBinding(b, t));
        const original = s.bindings.find((b) => sameBinding(b, t));
        if (i >= 0) bindings[i] = { ...bindings[i]!, members: [...bindings[i]!.members, t.member] };
        else bindings.push({ role: t.role, members: [t.member], ...(original?.condition ? { condition: original.condition } : {}) });
        await setPolicy(c, t.resource, { version: Math.max(3, now.state.version as number), etag: now.state.etag as string | null, bindings });
        return { restored: { member: t.member, role: t.role, to: t.resource } };
      }
      case 'disable-secret-versions': {
        const enabled = (before.state.versions as { name: string; state: string }[]).filter((v) => v.state === 'ENABLED');
        for (const v of enabled) await c.secrets.enableSecretVersion({ name: v.name }, NO_RETRY);
        return { enabled_versions: enabled.map((v) => v.name) };
      }
      default:
        throw new NotReversibleError(`${operation} cannot be undone`);
    }
  });
}

export const remediation: Remediation<GcpOptions> = { actions: ACTIONS, read, execute, verify, rollback };
