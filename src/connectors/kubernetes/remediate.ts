// Kubernetes remediation. Each action reads first and acts on what it read: a binding is replaced with the
// resourceVersion of that read, a Secret or binding is deleted with uid and resourceVersion preconditions, so a
// concurrent change makes the API answer 409 and nothing is overwritten. Every action is verified by reading back.
import { NotReversibleError, type ActionSpec, type ConnectorContext, type Remediation, type Target, type TargetState, type Verification } from '../types.js';
import { clientsFor, describe, isNotFound, statusOf, type K8sClients } from './client.js';
import type { KubernetesOptions } from './options.js';

type Ctx = ConnectorContext<KubernetesOptions>;

export const ACTIONS: ActionSpec[] = [
  { operation: 'delete-legacy-token-secret', kind: 'delete', subject: 'credential', kinds: ['sa_token'], reversible: false,
    description: 'Delete a legacy service-account token Secret (uid and resourceVersion preconditions); the token stops authenticating. Cannot be undone: the token value is never read, so it cannot be restored.' },
  { operation: 'remove-binding-subject', kind: 'revoke', subject: 'entitlement', reversible: true,
    description: 'Remove the subject from its RoleBinding or ClusterRoleBinding (replace with the resourceVersion read; a binding left with no subject is deleted); rollback re-adds it, recreating the binding from the journaled before-state if needed.' },
];

const absent = (state: Record<string, unknown> = {}): TargetState => ({ exists: false, active: false, last_used_at: null, state });

const conflict = (what: string, e: unknown) => (statusOf(e) === 409
  ? new Error(`${what} changed since it was read (409 Conflict); nothing was changed — collect and plan again`)
  : e);

// ---------- legacy token Secrets ----------

interface SecretTarget { namespace: string; name: string }

function secretTarget(t: Target): SecretTarget {
  const a = (t.attributes ?? {}) as { namespace?: string; secret_name?: string };
  if (!a.namespace || !a.secret_name) throw new Error(`credential ${t.ref} lacks namespace or secret_name: cannot locate its Secret`);
  return { namespace: a.namespace, name: a.secret_name };
}

async function readSecret(c: K8sClients, t: Target): Promise<TargetState> {
  const s = secretTarget(t);
  try {
    // Metadata only: the transport sends the PartialObjectMetadata Accept header for every Secret read.
    const obj = await c.core.readNamespacedSecret({ name: s.name, namespace: s.namespace });
    const m = obj.metadata ?? {};
    return { exists: true, active: !m.labels?.['kubernetes.io/legacy-token-invalid-since'], last_used_at: null,
      state: { namespace: s.namespace, name: s.name, uid: m.uid ?? null, resource_version: m.resourceVersion ?? null,
        service_account: m.annotations?.['kubernetes.io/service-account.name'] ?? null } };
  } catch (e) { if (isNotFound(e)) return absent({ namespace: s.namespace, name: s.name }); throw e; }
}

// ---------- bindings ----------

interface Subject { kind: string; name: string; namespace?: string; apiGroup?: string }
interface BindingTarget { kind: 'RoleBinding' | 'ClusterRoleBinding'; namespace: string | null; name: string; subject: Subject }

function bindingTarget(t: Target): BindingTarget {
  const a = (t.attributes ?? {}) as { binding_kind?: string; binding?: string; binding_namespace?: string | null; subject?: Subject };
  if ((a.binding_kind !== 'RoleBinding' && a.binding_kind !== 'ClusterRoleBinding') || !a.binding || !a.subject?.kind || !a.subject.name) {
    throw new Error(`entitlement ${t.ref} lacks binding_kind, binding or subject: it is not a binding subject (workload-identity links are removed by editing the service account)`);
  }
  if (a.binding_kind === 'RoleBinding' && !a.binding_namespace) throw new Error(`entitlement ${t.ref}: a RoleBinding without its namespace`);
  return { kind: a.binding_kind, namespace: a.binding_namespace ?? null, name: a.binding, subject: a.subject };
}

const plainSubject = (s: Subject): Subject => ({ kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}), ...(s.apiGroup ? { apiGroup: s.apiGroup } : {}) });

/** RBAC's identity of a subject: kind and name, and for a service account its namespace (the binding's when unset). */
const sameSubject = (a: Subject, b: Subject, bindingNs: string | null) =>
  a.kind === b.kind && a.name === b.name && (a.kind !== 'ServiceAccount' || (a.namespace || bindingNs) === (b.namespace || bindingNs));

interface BindingState {
  binding_kind: BindingTarget['kind']; namespace: string | null; name: string; uid: string | null; resource_version: string | null;
  role_ref: { apiGroup: string; kind: string; name: string }; subjects: Subject[]; labels: Record<string, string> | null;
  annotations: Record<string, string> | null; subject: Subject;
}

async function getBinding(c: K8sClients, b: BindingTarget) {
  return b.kind === 'RoleBinding'
    ? c.rbac.readNamespacedRoleBinding({ name: b.name, namespace: b.namespace! })
    : c.rbac.readClusterRoleBinding({ name: b.name });
}

async function readBinding(c: K8sClients, t: Target): Promise<TargetState> {
  const b = bindingTarget(t);
  let obj;
  try { obj = await getBinding(c, b); } catch (e) {
    if (isNotFound(e)) return absent({ binding_kind: b.kind, namespace: b.namespace, name: b.name, subject: plainSubject(b.subject) });
    throw e;
  }
  const subjects = (obj.subjects ?? []).map((s) => plainSubject(s as Subject));
  // The subject as the binding holds it (apiGroup included), so a rollback restores it exactly.
  const found = subjects.find((s) => sameSubject(s, b.subject, b.namespace));
  const present = found !== undefined;
  const state: BindingState = {
    binding_kind: b.kind, namespace: b.namespace, name: b.name, uid: obj.metadata?.uid ?? null, resource_version: obj.metadata?.resourceVersion ?? null,
    role_ref: { apiGroup: obj.roleRef.apiGroup, kind: obj.roleRef.kind, name: obj.roleRef.name }, subjects,
    labels: obj.metadata?.labels ?? null, annotations: obj.metadata?.annotations ?? null, subject: found ?? plainSubject(b.subject),
  };
  return { exists: present, active: present, last_used_at: null, state: state as unknown as Record<string, unknown> };
}

function bindingBody(s: BindingState, subjects: Subject[], resourceVersion: string | null) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: s.binding_kind,
    metadata: { name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}), ...(resourceVersion ? { resourceVersion } : {}),
      ...(s.labels ? { labels: s.labels } : {}), ...(s.annotations ? { annotations: s.annotations } : {}) },
    roleRef: s.role_ref, subjects,
  };
}

async function replaceBinding(c: K8sClients, s: BindingState, subjects: Subject[], resourceVersion: string | null) {
  const body = bindingBody(s, subjects, resourceVersion);
  return s.binding_kind === 'RoleBinding'
    ? c.rbac.replaceNamespacedRoleBinding({ name: s.name, namespace: s.namespace!, body })
    : c.rbac.replaceClusterRoleBinding({ name: s.name, body });
}

async function deleteBinding(c: K8sClients, s: BindingState) {
  const body = { preconditions: { ...(s.uid ? { uid: s.uid } : {}), ...(s.resource_version ? { resourceVersion: s.resource_version } : {}) } };
  return s.binding_kind === 'RoleBinding'
    ? c.rbac.deleteNamespacedRoleBinding({ name: s.name, namespace: s.namespace!, body })
    : c.rbac.deleteClusterRoleBinding({ name: s.name, body });
}

async function createBinding(c: K8sClients, s: BindingState, subjects: Subject[]) {
  const body = bindingBody(s, subjects, null);
  return s.binding_kind === 'RoleBinding'
    ? c.rbac.createNamespacedRoleBinding({ namespace: s.namespace!, body })
    : c.rbac.createClusterRoleBinding({ body });
}

// ---------- the contract ----------

async function withClients<T>(ctx: Ctx, target: Target, fn: (c: K8sClients) => Promise<T>): Promise<T> {
  return fn(await clientsFor(ctx, target.tenant, ctx.http(target.tenant)));
}

function readWith(c: K8sClients, target: Target): Promise<TargetState> {
  if (target.subject === 'credential' && target.kind === 'sa_token') return readSecret(c, target);
  if (target.subject === 'entitlement') return readBinding(c, target);
  throw new Error(`kubernetes cannot read a ${target.subject} of kind ${target.kind ?? '(none)'}`);
}

async function read(ctx: Ctx, target: Target): Promise<TargetState> {
  return withClients(ctx, target, (c) => readWith(c, target));
}

async function execute(ctx: Ctx, operation: string, target: Target, before: TargetState): Promise<Record<string, unknown>> {
  if (!before.exists) return { skipped: 'target no longer exists' };
  return withClients(ctx, target, async (c) => {
    switch (operation) {
      case 'delete-legacy-token-secret': {
        const s = before.state as { namespace: string; name: string; uid: string | null; resource_version: string | null };
        try {
          await c.core.deleteNamespacedSecret({ name: s.name, namespace: s.namespace,
            body: { preconditions: { ...(s.uid ? { uid: s.uid } : {}), ...(s.resource_version ? { resourceVersion: s.resource_version } : {}) } } });
        } catch (e) { throw conflict(`Secret ${s.namespace}/${s.name}`, e); }
        return { deleted: `${s.namespace}/${s.name}`, uid: s.uid };
      }
      case 'remove-binding-subject': {
        const s = before.state as unknown as BindingState;
        const remaining = s.subjects.filter((x) => !sameSubject(x, s.subject, s.namespace));
        const what = `${s.binding_kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
        try {
          // A binding with no subject left grants nothing and would only wait to be refilled: it is deleted, and the
          // journaled before-state is enough to recreate it on rollback.
          if (!remaining.length) { await deleteBinding(c, s); return { removed: s.subject, from: what, deleted_binding: true }; }
          await replaceBinding(c, s, remaining, s.resource_version);
        } catch (e) { throw conflict(what, e); }
        return { removed: s.subject, from: what, deleted_binding: false, remaining: remaining.length };
      }
      default:
        throw new Error(`unknown kubernetes operation ${operation}`);
    }
  });
}

async function verify(ctx: Ctx, operation: string, target: Target): Promise<Verification> {
  const after = await read(ctx, target);
  const evidence: Record<string, unknown> = { exists: after.exists, active: after.active, ...after.state };
  switch (operation) {
    case 'delete-legacy-token-secret':
      return { ok: !after.exists, evidence };
    case 'remove-binding-subject':
      return { ok: !after.exists, evidence };
    default:
      return { ok: false, evidence: { ...evidence, error: `unknown operation ${operation}` } };
  }
}

async function rollback(ctx: Ctx, operation: string, target: Target, before: TargetState): Promise<Record<string, unknown>> {
  if (operation !== 'remove-binding-subject') throw new NotReversibleError(`${operation} cannot be undone`);
  const s = before.state as unknown as BindingState;
  if (!s.role_ref || !Array.isArray(s.subjects)) throw new NotReversibleError(`the journaled before-state of ${target.ref} does not hold the binding: cannot restore it`);
  return withClients(ctx, target, async (c) => {
    const now = await readBinding(c, target);
    let result: Record<string, unknown>;
    if (now.exists) return { unchanged: 'the subject is bound again already' };
    const cur = now.state as unknown as Partial<BindingState>;
    if (cur.role_ref && (cur.role_ref.kind !== s.role_ref.kind || cur.role_ref.name !== s.role_ref.name)) {
      throw new Error(`rollback of ${target.ref}: the binding now grants ${cur.role_ref.kind} ${cur.role_ref.name}, not ${s.role_ref.kind} ${s.role_ref.name}; the subject was not re-added`);
    }
    try {
      if (!cur.role_ref) {
        await createBinding(c, s, s.subjects);
        result = { recreated: `${s.binding_kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`, subjects: s.subjects.length };
      } else {
        await replaceBinding(c, { ...s, labels: cur.labels ?? null, annotations: cur.annotations ?? null, role_ref: cur.role_ref }, [...(cur.subjects ?? []), s.subject], cur.resource_version ?? null);
        result = { restored: s.subject, to: `${s.binding_kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}` };
      }
    } catch (e) { throw new Error(`rollback of ${target.ref} failed: ${describe(e)}`); }
    const back = await readBinding(c, target);
    if (!back.exists) throw new Error(`rollback of ${target.ref}: the subject is still absent on read-back`);
    return { ...result, verified: true };
  });
}

export const remediation: Remediation<KubernetesOptions> = { actions: ACTIONS, read, execute, verify, rollback };
