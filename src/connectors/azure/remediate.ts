// Azure remediation: delete a role assignment; remove a PIM active assignment or eligibility through a schedule
// request (AdminRemove); remove an app's or service principal's password credential; disable the enabled versions of
// a Key Vault secret, key or certificate (opt-in, reversible). Each one is verified by reading the target back.
import { randomUUID } from 'node:crypto';
import type { ActionSpec, Remediation, Target, TargetState, Verification } from '../types.js';
import { NotReversibleError } from '../types.js';
import { clientsFor, errorText, statusOf, type AzureClients, type AzureOptions, type Ctx } from './clients.js';
import { all } from './collect.js';
import { dataPlaneClients, vaultParts, vaultUriAllowed } from './keyvault.js';
import { ENTRA_ACTIONS, ENTRA_OPERATIONS, checkEntraApplies, executeEntra, isEntraTarget, readEntra, rollbackEntra, verifyEntra } from './entra-remediate.js';

const actions: ActionSpec[] = [
  { operation: 'delete-role-assignment', kind: 'delete', subject: 'entitlement', reversible: true,
    description: 'Delete an Azure RBAC role assignment (not one provisioned by PIM: use remove-pim-assignment). Rollback re-creates it with the same name, role, principal and scope.' },
  { operation: 'remove-pim-assignment', kind: 'revoke', subject: 'entitlement', reversible: false,
    description: 'Remove a PIM active role assignment through a roleAssignmentScheduleRequest with requestType AdminRemove.' },
  { operation: 'remove-pim-eligibility', kind: 'revoke', subject: 'entitlement', reversible: false,
    description: 'Remove a PIM role eligibility through a roleEligibilityScheduleRequest with requestType AdminRemove.' },
  { operation: 'remove-password-credential', kind: 'delete', subject: 'credential', kinds: ['client_secret'], reversible: false,
    description: "Remove a client secret from an app registration or service principal (Graph removePassword). The secret's value is never known, so it cannot be restored." },
  { operation: 'disable-secret-version', kind: 'disable', subject: 'credential', kinds: ['stored_secret', 'certificate'], reversible: true,
    description: 'Opt-in: disable every enabled version of a Key Vault secret, key or certificate (metadata update; the value is never read). Rollback re-enables exactly those versions.' },
  { operation: 'rotate-key-now', kind: 'rotate', subject: 'credential', kinds: ['stored_secret'], reversible: false,
    description: "Opt-in: rotate a Key Vault key now, by Key Vault's own rotation (KeyClient.rotateKey) — only for a key whose rotation policy has a Rotate action. Key Vault creates the new version; no key material leaves it." },
  ...ENTRA_ACTIONS,
];

const attr = (t: Target, k: string): string => {
  const v = t.attributes?.[k];
  if (typeof v !== 'string' || !v) throw new Error(`target ${t.ref} lacks attribute ${k}; collect it again with this version of the connector`);
  return v;
};
/** The ARM scope of an RBAC target; rows collected before it was renamed carry it as `scope`. */
const armScope = (t: Target): string => (typeof t.attributes?.arm_scope === 'string' ? t.attributes.arm_scope : attr(t, 'scope'));
const noSlash = (s: string) => s.replace(/^\/+/, '');
const guidOf = (id: string) => id.split('/').pop()!.toLowerCase();
const missing = (): TargetState => ({ exists: false, active: false, last_used_at: null, state: {} });

async function clients(ctx: Ctx, t: Target): Promise<AzureClients> { return clientsFor(ctx, ctx.http(t.tenant)); }

/** The subscription an ARM id lives in; ids above a subscription (management groups) use the target's tenant. */
const subscriptionOf = (t: Target, id: string) => /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? t.tenant;

// ---------- role assignments ----------

async function readAssignment(ctx: Ctx, t: Target): Promise<TargetState> {
  const id = attr(t, 'assignment_id');
  const authz = await (await clients(ctx, t)).authorization(subscriptionOf(t, id));
  try {
    const a = await authz.roleAssignments.getById(noSlash(id));
    return { exists: true, active: true, last_used_at: null,
      state: { id: a.id, name: a.name, scope: a.scope, role_definition_id: a.roleDefinitionId, principal_id: a.principalId, principal_type: a.principalType, description: a.description ?? null, condition: a.condition ?? null, condition_version: a.conditionVersion ?? null } };
  } catch (e) {
    if (statusOf(e) === 404) return missing();
    throw e;
  }
}

// ---------- PIM ----------

interface ScheduleLike { scope?: string; roleDefinitionId?: string; principalId?: string; id?: string; endDateTime?: Date; status?: string }

async function readSchedules(ctx: Ctx, t: Target, kind: 'active' | 'eligible'): Promise<TargetState> {
  const scope = armScope(t), principal = attr(t, 'principal_id'), role = attr(t, 'role_definition_id');
  const authz = await (await clients(ctx, t)).authorization(subscriptionOf(t, scope));
  const list: ScheduleLike[] = kind === 'active'
    ? await all(authz.roleAssignmentSchedules.listForScope(noSlash(scope), { filter: 'atScope()' }))
    : await all(authz.roleEligibilitySchedules.listForScope(noSlash(scope), { filter: 'atScope()' }));
  const hit = list.find((s) => (s.scope ?? '').toLowerCase() === scope.toLowerCase() && guidOf(s.roleDefinitionId ?? '') === guidOf(role) && s.principalId === principal);
  if (!hit) return missing();
  return { exists: true, active: true, last_used_at: null, state: { schedule_id: hit.id, scope, role_definition_id: role, principal_id: principal, end: hit.endDateTime ?? null, status: hit.status ?? null } };
}

async function adminRemove(ctx: Ctx, t: Target, kind: 'active' | 'eligible'): Promise<Record<string, unknown>> {
  const scope = armScope(t), principal = attr(t, 'principal_id'), role = attr(t, 'role_definition_id');
  const authz = await (await clients(ctx, t)).authorization(subscriptionOf(t, scope));
  const name = randomUUID();
  const body = { principalId: principal, roleDefinitionId: role, requestType: 'AdminRemove' as const, justification: `nhi-recon remediation (run ${ctx.runId})` };
  const r = kind === 'active'
    ? await authz.roleAssignmentScheduleRequests.create(noSlash(scope), name, body)
    : await authz.roleEligibilityScheduleRequests.create(noSlash(scope), name, body);
  return { request_id: r.id ?? name, request_type: 'AdminRemove', status: r.status ?? null };
}

// ---------- Graph password credentials ----------

function graphObject(t: Target): { path: string; keyId: string } {
  const object = attr(t, 'object');
  const objectId = attr(t, 'object_id');
  const keyId = attr(t, 'key_id');
  if (object !== 'application' && object !== 'servicePrincipal') throw new Error(`target ${t.ref}: unknown credential holder ${object}`);
  return { path: `/${object === 'application' ? 'applications' : 'servicePrincipals'}/${objectId}`, keyId };
}

async function readPassword(ctx: Ctx, t: Target): Promise<TargetState> {
  const { path, keyId } = graphObject(t);
  const graph = await (await clients(ctx, t)).graph();
  let o: { passwordCredentials?: { keyId: string; endDateTime?: string | null; hint?: string | null; displayName?: string | null }[] };
  try { o = await graph.api(path).select('id,passwordCredentials').get(); } catch (e) {
    if (statusOf(e) === 404) return missing();
    throw e;
  }
  const c = (o.passwordCredentials ?? []).find((x) => x.keyId === keyId);
  if (!c) return missing();
  return { exists: true, active: !c.endDateTime || Date.parse(c.endDateTime) > Date.now(), last_used_at: null,
    state: { key_id: keyId, holder: path, end: c.endDateTime ?? null, hint: c.hint ?? null, display_name: c.displayName ?? null } };
}

// ---------- Key Vault versions ----------

async function vaultItem(ctx: Ctx, t: Target) {
  const vaultId = attr(t, 'vault_id'), type = attr(t, 'item_type'), name = attr(t, 'item_name');
  const parts = vaultParts(vaultId);
  if (!parts) throw new Error(`target ${t.ref}: ${vaultId} is not a Key Vault id`);
  const c = await clients(ctx, t);
  const vault = await (await c.keyVaultManagement(parts.subscription)).vaults.get(parts.resourceGroup, parts.name);
  const uri = vault.properties.vaultUri;
  if (!uri || !vaultUriAllowed(uri, ctx.options.keyvault_dns_suffix)) throw new Error(`vault ${parts.name}: URI ${uri ?? '(none)'} is not under ${ctx.options.keyvault_dns_suffix}`);
  const dp = await dataPlaneClients(c, uri);
  const versions = async (): Promise<{ version: string; enabled: boolean }[]> => {
    const list = type === 'secret' ? await all(dp.secrets.listPropertiesOfSecretVersions(name))
      : type === 'key' ? await all(dp.keys.listPropertiesOfKeyVersions(name))
        : await all(dp.certificates.listPropertiesOfCertificateVersions(name));
    return list.map((v) => ({ version: v.version ?? '', enabled: v.enabled !== false })).filter((v) => v.version);
  };
  const setEnabled = async (version: string, enabled: boolean) => {
    if (type === 'secret') await dp.secrets.updateSecretProperties(name, version, { enabled });
    else if (type === 'key') await dp.keys.updateKeyProperties(name, version, { enabled });
    else await dp.certificates.updateCertificateProperties(name, version, { enabled });
  };
  /** Rotation is "configured" when the key's rotation policy has a Rotate lifetime action. */
  const rotationConfigured = async (): Promise<boolean> => {
    if (type !== 'key') return false;
    const p = await dp.keys.getKeyRotationPolicy(name);
    return (p.lifetimeActions ?? []).some((a) => a.action === 'Rotate');
  };
  const rotate = async (): Promise<{ version: string | null; created: string | null }> => {
    const k = await dp.keys.rotateKey(name);
    return { version: k.properties.version ?? null, created: k.properties.createdOn?.toISOString() ?? null };
  };
  const newest = async (): Promise<{ version: string; created: Date | null; enabled: boolean } | null> => {
    if (type !== 'key') return null;
    const list = await all(dp.keys.listPropertiesOfKeyVersions(name));
    const sorted = list.filter((v) => v.version).sort((a, b) => (a.createdOn?.getTime() ?? 0) - (b.createdOn?.getTime() ?? 0));
    const n = sorted[sorted.length - 1];
    return n ? { version: n.version!, created: n.createdOn ?? null, enabled: n.enabled !== false } : null;
  };
  return { versions, setEnabled, type, name, rotationConfigured, rotate, newest };
}

async function readVaultItem(ctx: Ctx, t: Target): Promise<TargetState> {
  const item = await vaultItem(ctx, t);
  let vs;
  try { vs = await item.versions(); } catch (e) {
    if (statusOf(e) === 404) return missing();
    throw e;
  }
  if (!vs.length) return missing();
  const enabled = vs.filter((v) => v.enabled).map((v) => v.version);
  return { exists: true, active: enabled.length > 0, last_used_at: null, state: { item_type: item.type, item_name: item.name, enabled_versions: enabled, versions: vs.length } };
}

// ---------- dispatch ----------

type Op = (typeof actions)[number]['operation'];

function checkApplies(op: string, t: Target): void {
  const eligible = t.attributes?.eligible === true;
  const pim = t.attributes?.pim as { schedule_id?: string } | null | undefined;
  if (op === 'delete-role-assignment' && (eligible || !t.attributes?.assignment_id)) throw new Error(`${t.ref} is not a role assignment`);
  if (op === 'delete-role-assignment' && pim?.schedule_id && t.attributes?.pim && (t.attributes.pim as { just_in_time?: boolean }).just_in_time) {
    throw new Error(`${t.ref} is a time-bound PIM assignment: use remove-pim-assignment`);
  }
  if (op === 'remove-pim-assignment' && (eligible || !pim?.schedule_id)) throw new Error(`${t.ref} has no PIM active assignment schedule`);
  if (op === 'remove-pim-eligibility' && !eligible) throw new Error(`${t.ref} is not a PIM eligibility`);
  if (op === 'disable-secret-version' && t.attributes?.store !== 'azure-key-vault') throw new Error(`${t.ref} is not a Key Vault item`);
  if (op === 'rotate-key-now' && (t.attributes?.store !== 'azure-key-vault' || t.attributes?.item_type !== 'key')) throw new Error(`${t.ref} is not a Key Vault key (only keys have Key Vault's own rotation)`);
}

async function read(ctx: Ctx, t: Target, op?: string): Promise<TargetState> {
  if (isEntraTarget(t)) return readEntra(ctx, await clients(ctx, t), t);
  if (t.subject === 'credential') return t.attributes?.store === 'azure-key-vault' ? readVaultItem(ctx, t) : readPassword(ctx, t);
  if (t.attributes?.eligible === true) return readSchedules(ctx, t, 'eligible');
  if (op === 'remove-pim-assignment') return readSchedules(ctx, t, 'active');
  return readAssignment(ctx, t);
}

export const remediation: Remediation<AzureOptions> = {
  actions,
  read: (ctx, t) => read(ctx, t),
  async execute(ctx, operation, t, before) {
    if (ENTRA_OPERATIONS.has(operation)) {
      checkEntraApplies(operation, t);
      if (!before.exists) return { skipped: 'already gone' };
      return executeEntra(ctx, await clients(ctx, t), operation, t, before);
    }
    if (isEntraTarget(t)) throw new Error(`${operation} does not apply to ${t.ref} (an Entra grant)`);
    checkApplies(operation, t);
    if (!before.exists) return { skipped: 'already gone' };
    switch (operation as Op) {
      case 'delete-role-assignment': {
        const authz = await (await clients(ctx, t)).authorization(subscriptionOf(t, attr(t, 'assignment_id')));
        const gone = await authz.roleAssignments.deleteById(noSlash(attr(t, 'assignment_id')));
        return { deleted: gone?.id ?? attr(t, 'assignment_id') };
      }
      case 'remove-pim-assignment': return adminRemove(ctx, t, 'active');
      case 'remove-pim-eligibility': return adminRemove(ctx, t, 'eligible');
      case 'remove-password-credential': {
        const { path, keyId } = graphObject(t);
        const graph = await (await clients(ctx, t)).graph();
        await graph.api(`${path}/removePassword`).post({ keyId });
        return { removed_key_id: keyId, holder: path };
      }
      case 'disable-secret-version': {
        const item = await vaultItem(ctx, t);
        const enabled = (before.state.enabled_versions as string[] | undefined) ?? [];
        for (const v of enabled) await item.setEnabled(v, false);
        return { disabled_versions: enabled };
      }
      case 'rotate-key-now': {
        const item = await vaultItem(ctx, t);
        if (!(await item.rotationConfigured())) throw new Error(`${t.ref}: the key's rotation policy has no Rotate action; rotation is not configured in the store, so nothing was done`);
        const out = await item.rotate();
        return { rotated: true, new_version: out.version, created: out.created, previous_enabled_versions: before.state.enabled_versions ?? [] };
      }
      default: throw new Error(`unknown azure operation ${operation}`);
    }
  },
  async verify(ctx, operation, t): Promise<Verification> {
    if (ENTRA_OPERATIONS.has(operation)) return verifyEntra(ctx, await clients(ctx, t), operation, t);
    try {
      const after = await read(ctx, t, operation);
      if (operation === 'disable-secret-version') {
        return { ok: after.exists && !after.active, evidence: { read_back: after.state, exists: after.exists, enabled_versions: after.state.enabled_versions ?? [] } };
      }
      if (operation === 'rotate-key-now') {
        // Rotated: the newest version is enabled and was created just now (after the collection that planned this).
        const n = await (await vaultItem(ctx, t)).newest();
        const fresh = !!n?.created && n.created.getTime() > ctx.now.getTime() - 60_000;
        return { ok: !!n && n.enabled && fresh, evidence: { newest_version: n?.version ?? null, created: n?.created?.toISOString() ?? null, enabled: n?.enabled ?? null } };
      }
      if (operation === 'remove-pim-assignment') {
        // The schedule is gone, and so is the role assignment it provisioned.
        const assignment = t.attributes?.assignment_id ? await readAssignment(ctx, t) : missing();
        return { ok: !after.exists && !assignment.exists, evidence: { schedule_exists: after.exists, assignment_exists: assignment.exists } };
      }
      return { ok: !after.exists, evidence: { exists: after.exists, read_back: after.state } };
    } catch (e) {
      return { ok: false, evidence: { error: errorText(e) } };
    }
  },
  async rollback(ctx, operation, t, before) {
    if (ENTRA_OPERATIONS.has(operation)) return rollbackEntra(ctx, await clients(ctx, t), operation, t, before);
    if (operation === 'delete-role-assignment') {
      const s = before.state as { name?: string; scope?: string; role_definition_id?: string; principal_id?: string; principal_type?: string; description?: string | null; condition?: string | null; condition_version?: string | null };
      if (!s.name || !s.scope || !s.role_definition_id || !s.principal_id) throw new NotReversibleError(`no before-state to re-create ${t.ref}`);
      const authz = await (await clients(ctx, t)).authorization(subscriptionOf(t, s.scope));
      const a = await authz.roleAssignments.create(noSlash(s.scope), s.name, {
        roleDefinitionId: s.role_definition_id, principalId: s.principal_id, principalType: s.principal_type as 'ServicePrincipal' | undefined,
        description: s.description ?? undefined, condition: s.condition ?? undefined, conditionVersion: s.condition_version ?? undefined,
      });
      return { recreated: a.id };
    }
    if (operation === 'disable-secret-version') {
      const item = await vaultItem(ctx, t);
      const enabled = (before.state.enabled_versions as string[] | undefined) ?? [];
      for (const v of enabled) await item.setEnabled(v, true);
      return { enabled_versions: enabled };
    }
    throw new NotReversibleError(`${operation} cannot be undone automatically`);
  },
};
