// Remediation for IAM and Secrets Manager. Every operation reads the target first, acts with one call, and is
// verified by reading back. Access keys are found again by their creation time (the credential report carries no
// key id); two keys of one user created in the same second are ambiguous and refused. A rotated key's secret goes
// straight from CreateAccessKey into the Secrets Manager sink: it is never logged, stored or returned.
import {
  AddUserToGroupCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand,
  DeleteAccessKeyCommand, DeleteLoginProfileCommand, DeleteRolePolicyCommand, DeleteUserPolicyCommand,
  DetachRolePolicyCommand, DetachUserPolicyCommand, GetAccessKeyLastUsedCommand, GetLoginProfileCommand,
  GetRolePolicyCommand, GetUserPolicyCommand, ListAccessKeysCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand, PutRolePolicyCommand, PutUserPolicyCommand, RemoveUserFromGroupCommand, UpdateAccessKeyCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand, DescribeSecretCommand, PutSecretValueCommand, RotateSecretCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NotReversibleError, type ActionSpec, type ConnectorContext, type Interrupted, type ProgressRecorder, type Recovered, type Remediation, type Target, type TargetState } from '../types.js';
import { accountSession, safeMessage, type AccountSession } from './clients.js';
import { decodeDocument, iso } from './map.js';
import type { AwsOptions } from './options.js';

type Ctx = ConnectorContext<AwsOptions>;

export const ACTIONS: ActionSpec[] = [
  { operation: 'deactivate-access-key', kind: 'disable', subject: 'credential', kinds: ['access_key'], reversible: true, description: 'Set an IAM access key Inactive (UpdateAccessKey); reactivating it undoes this.' },
  { operation: 'delete-access-key', kind: 'delete', subject: 'credential', kinds: ['access_key'], reversible: false, description: 'Delete an IAM access key that is already inactive (DeleteAccessKey).' },
  { operation: 'rotate-access-key', kind: 'rotate', subject: 'credential', kinds: ['access_key'], reversible: true, description: 'Create a new access key, store it in the configured Secrets Manager sink, and deactivate the old key.' },
  { operation: 'delete-login-profile', kind: 'delete', subject: 'credential', kinds: ['password'], reversible: false, description: "Remove a user's console password (DeleteLoginProfile)." },
  { operation: 'detach-managed-policy', kind: 'revoke', subject: 'entitlement', reversible: true, description: 'Detach a managed policy from the user or role that holds it directly.' },
  { operation: 'delete-inline-policy', kind: 'delete', subject: 'entitlement', reversible: true, description: 'Delete an inline policy of a user or role; its document is kept in the before-state to restore it.' },
  { operation: 'remove-user-from-group', kind: 'revoke', subject: 'entitlement', reversible: true, description: 'Remove the user from the group an entitlement comes through.' },
  { operation: 'rotate-secret', kind: 'rotate', subject: 'credential', kinds: ['stored_secret'], reversible: false, description: "Opt-in: start the secret's own configured rotation (RotateSecret). Never configures rotation, never reads the value." },
];

/** Where a target lives in IAM, from its ref and the attributes collection recorded. */
function locate(t: Target) {
  const a = (t.attributes ?? {}) as Record<string, any>;
  const ownerArn = t.subject === 'entitlement' ? t.identity_ref ?? '' : (t.identity_ref ?? t.ref.split('#')[0]!);
  const principalType: 'user' | 'role' | 'root' | 'unknown' = a.principal_type ?? (/:user\//.test(ownerArn) ? 'user' : /:role\//.test(ownerArn) ? 'role' : /:root$/.test(ownerArn) ? 'root' : 'unknown');
  const principalName: string = a.principal_name ?? a.user_name ?? ownerArn.split('/').pop() ?? '';
  return { a, ownerArn, principalType, principalName };
}

const sessions = new WeakMap<object, Map<string, Promise<AccountSession>>>();
function session(ctx: Ctx, account: string): Promise<AccountSession> {
  let m = sessions.get(ctx);
  if (!m) { m = new Map(); sessions.set(ctx, m); }
  let s = m.get(account);
  if (!s) { s = accountSession(ctx, account, ctx.http(account)); m.set(account, s); s.catch(() => m!.delete(account)); }
  return s;
}

const isNotFound = (e: unknown) => ['NoSuchEntity', 'NoSuchEntityException', 'ResourceNotFoundException'].includes((e as Error).name);

async function findKey(iam: IAMClient, userName: string, t: Target, signal: AbortSignal) {
  const created = /#access-key:(.+)$/.exec(t.ref)?.[1];
  const wantId = (t.attributes as Record<string, unknown> | null)?.access_key_id as string | undefined;
  const r = await iam.send(new ListAccessKeysCommand({ UserName: userName }), { abortSignal: signal });
  const keys = (r.AccessKeyMetadata ?? []).filter((k) => (wantId ? k.AccessKeyId === wantId : k.CreateDate && iso(k.CreateDate) === created));
  if (keys.length > 1) throw new Error(`${userName} has ${keys.length} access keys created at ${created}: cannot tell which one ${t.ref} is; act by hand`);
  return { key: keys[0], all: r.AccessKeyMetadata ?? [] };
}

function secretsClient(ctx: Ctx, s: AccountSession, arn: string): SecretsManagerClient {
  const region = arn.split(':')[3]!;
  return s.secrets(region, ctx.options.secrets_manager?.endpoint);
}

async function read(ctx: Ctx, t: Target): Promise<TargetState> {
  const s = await session(ctx, t.tenant);
  const { a, principalType, principalName } = locate(t);
  const signal = ctx.signal;
  const none = (state: Record<string, unknown>): TargetState => ({ exists: false, active: false, last_used_at: null, state });
  if (t.subject === 'credential' && t.kind === 'access_key') {
    if (principalType === 'root') throw new Error('root access keys can only be managed while signed in as root; not acted on');
    const { key } = await findKey(s.iam, principalName, t, signal).catch((e) => { if (isNotFound(e)) return { key: undefined }; throw e; });
    if (!key?.AccessKeyId) return none({ user_name: principalName });
    const lu = await s.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }), { abortSignal: signal });
    return {
      exists: true, active: key.Status === 'Active', last_used_at: lu.AccessKeyLastUsed?.LastUsedDate ?? null,
      state: { user_name: principalName, access_key_id: key.AccessKeyId, status: key.Status, create_date: key.CreateDate ? iso(key.CreateDate) : null },
    };
  }
  if (t.subject === 'credential' && t.kind === 'password') {
    if (principalType === 'root') throw new Error('the root password cannot be removed through IAM; not acted on');
    try {
      const r = await s.iam.send(new GetLoginProfileCommand({ UserName: principalName }), { abortSignal: signal });
      return { exists: true, active: true, last_used_at: null, state: { user_name: principalName, create_date: r.LoginProfile?.CreateDate ? iso(r.LoginProfile.CreateDate) : null } };
    } catch (e) { if (isNotFound(e)) return none({ user_name: principalName }); throw e; }
  }
  if (t.subject === 'credential' && t.kind === 'stored_secret') {
    try {
      const r = await secretsClient(ctx, s, t.ref).send(new DescribeSecretCommand({ SecretId: t.ref }), { abortSignal: signal });
      const current = Object.entries(r.VersionIdsToStages ?? {}).find(([, st]) => st.includes('AWSCURRENT'))?.[0] ?? null;
      return {
        exists: true, active: !r.DeletedDate, last_used_at: r.LastAccessedDate ?? null,
        state: { arn: r.ARN, rotation_enabled: !!r.RotationEnabled, rotation_lambda_arn: r.RotationLambdaARN ?? null, last_rotated: r.LastRotatedDate ? iso(r.LastRotatedDate) : null, current_version: current, pending: Object.values(r.VersionIdsToStages ?? {}).some((st) => st.includes('AWSPENDING')) },
      };
    } catch (e) { if (isNotFound(e)) return none({ arn: t.ref }); throw e; }
  }
  if (t.subject === 'entitlement') {
    const base = { principal_type: principalType, principal_name: principalName, policy_type: a.policy_type ?? null, policy_arn: a.policy_arn ?? null, policy_name: a.policy_name ?? null, group_name: a.group_name ?? null };
    if (principalType !== 'user' && principalType !== 'role') throw new Error(`entitlement ${t.ref} belongs to no IAM user or role; not acted on`);
    if (a.group_name) {
      if (principalType !== 'user') throw new Error(`entitlement ${t.ref} comes through a group but its holder is not a user`);
      const r = await s.iam.send(new ListGroupsForUserCommand({ UserName: principalName }), { abortSignal: signal }).catch((e) => { if (isNotFound(e)) return { Groups: [] }; throw e; });
      const member = (r.Groups ?? []).some((g) => g.GroupName === a.group_name);
      return { exists: member, active: member, last_used_at: null, state: base };
    }
    if (a.policy_type === 'managed') {
      const cmd = principalType === 'user' ? new ListAttachedUserPoliciesCommand({ UserName: principalName }) : new ListAttachedRolePoliciesCommand({ RoleName: principalName });
      const r = await s.iam.send(cmd as any, { abortSignal: signal }).catch((e: unknown) => { if (isNotFound(e)) return { AttachedPolicies: [] }; throw e; }) as { AttachedPolicies?: { PolicyArn?: string }[] };
      const attached = (r.AttachedPolicies ?? []).some((p) => p.PolicyArn === a.policy_arn);
      return { exists: attached, active: attached, last_used_at: null, state: base };
    }
    if (a.policy_type === 'inline') {
      try {
        const r = principalType === 'user'
          ? await s.iam.send(new GetUserPolicyCommand({ UserName: principalName, PolicyName: a.policy_name }), { abortSignal: signal })
          : await s.iam.send(new GetRolePolicyCommand({ RoleName: principalName, PolicyName: a.policy_name }), { abortSignal: signal });
        return { exists: true, active: true, last_used_at: null, state: { ...base, document: decodeDocument(r.PolicyDocument) } };
      } catch (e) { if (isNotFound(e)) return none(base); throw e; }
    }
    throw new Error(`entitlement ${t.ref} is a summary of effective permissions, not one policy: act on its policies`);
  }
  throw new Error(`the aws connector cannot read a ${t.subject} of kind ${t.kind}`);
}

const executedAt = new Map<string, Date>();

async function execute(ctx: Ctx, op: string, t: Target, before: TargetState, progress?: ProgressRecorder): Promise<Record<string, unknown>> {
  const s = await session(ctx, t.tenant);
  const st = before.state as Record<string, any>;
  const signal = ctx.signal;
  if (!before.exists) throw new Error(`${t.ref} no longer exists; nothing to do`);
  switch (op) {
    case 'deactivate-access-key': {
      await s.iam.send(new UpdateAccessKeyCommand({ UserName: st.user_name, AccessKeyId: st.access_key_id, Status: 'Inactive' }), { abortSignal: signal });
      return { access_key_id: st.access_key_id, status: 'Inactive' };
    }
    case 'delete-access-key': {
      // Deleting is the follow-up of a deactivation that held: an active key means someone re-enabled it.
      if (before.active) throw new Error(`access key of ${st.user_name} is active; deactivate it first (a re-enabled key is someone's decision)`);
      await s.iam.send(new DeleteAccessKeyCommand({ UserName: st.user_name, AccessKeyId: st.access_key_id }), { abortSignal: signal });
      return { access_key_id: st.access_key_id, deleted: true };
    }
    case 'rotate-access-key': return rotateAccessKey(ctx, s, t, st, progress);
    case 'delete-login-profile': {
      await s.iam.send(new DeleteLoginProfileCommand({ UserName: st.user_name }), { abortSignal: signal });
      return { user_name: st.user_name, login_profile: 'deleted' };
    }
    case 'detach-managed-policy': {
      if (st.group_name) throw new Error(`${t.ref} comes through group ${st.group_name}: detaching it there would affect every member; use remove-user-from-group`);
      if (st.policy_type !== 'managed') throw new Error(`${t.ref} is not a managed policy attachment`);
      const cmd = st.principal_type === 'user' ? new DetachUserPolicyCommand({ UserName: st.principal_name, PolicyArn: st.policy_arn }) : new DetachRolePolicyCommand({ RoleName: st.principal_name, PolicyArn: st.policy_arn });
      await s.iam.send(cmd as any, { abortSignal: signal });
      return { detached: st.policy_arn, from: `${st.principal_type}/${st.principal_name}` };
    }
    case 'delete-inline-policy': {
      if (st.group_name) throw new Error(`${t.ref} comes through group ${st.group_name}; use remove-user-from-group`);
      if (st.policy_type !== 'inline') throw new Error(`${t.ref} is not an inline policy`);
      const cmd = st.principal_type === 'user' ? new DeleteUserPolicyCommand({ UserName: st.principal_name, PolicyName: st.policy_name }) : new DeleteRolePolicyCommand({ RoleName: st.principal_name, PolicyName: st.policy_name });
      await s.iam.send(cmd as any, { abortSignal: signal });
      return { deleted_inline_policy: st.policy_name, from: `${st.principal_type}/${st.principal_name}` };
    }
    case 'remove-user-from-group': {
      if (!st.group_name) throw new Error(`${t.ref} does not come through a group`);
      await s.iam.send(new RemoveUserFromGroupCommand({ UserName: st.principal_name, GroupName: st.group_name }), { abortSignal: signal });
      return { removed: st.principal_name, group: st.group_name };
    }
    case 'rotate-secret': {
      if (!st.rotation_lambda_arn) throw new Error(`${t.ref} has no rotation configured; nhi-recon starts a secret's own rotation but never sets one up`);
      executedAt.set(t.ref, new Date());
      const r = await secretsClient(ctx, s, t.ref).send(new RotateSecretCommand({ SecretId: t.ref, RotateImmediately: true }), { abortSignal: signal });
      return { rotation_started: true, version_id: r.VersionId ?? null };
    }
  }
  throw new Error(`unknown aws operation ${op}`);
}

async function rotateAccessKey(ctx: Ctx, s: AccountSession, t: Target, st: Record<string, any>, progress?: ProgressRecorder): Promise<Record<string, unknown>> {
  const sinkCfg = ctx.options.rotation_sink;
  if (!sinkCfg) throw new Error('rotate-access-key needs options.rotation_sink (a Secrets Manager secret for the new key); refusing to create a key with nowhere to put it');
  const signal = ctx.signal;
  const { all } = await findKey(s.iam, st.user_name, t, signal);
  if (all.length >= 2) {
    const list = all.map((k) => `${k.AccessKeyId} (${k.Status}, created ${k.CreateDate ? iso(k.CreateDate) : 'unknown'})`).join(', ');
    const inactive = all.filter((k) => k.Status !== 'Active' && k.AccessKeyId !== st.access_key_id);
    throw new Error(`${st.user_name} already has two access keys (the IAM limit): ${list}. `
      + (inactive.length ? `Delete the inactive key ${inactive[0]!.AccessKeyId} if nothing uses it, then retry` : 'Both are active: find out which one its consumers use before removing either; nothing was changed'));
  }
  let created;
  try {
    created = await s.iam.send(new CreateAccessKeyCommand({ UserName: st.user_name }), { abortSignal: signal });
  } catch (e) {
    throw new Error(`CreateAccessKey for ${st.user_name} failed: ${(e as Error).name}: ${safeMessage(e)}; check the user's keys by hand before retrying`);
  }
  const newId = created.AccessKey?.AccessKeyId;
  let secretValue: string | undefined = created.AccessKey?.SecretAccessKey ? JSON.stringify({ AccessKeyId: newId, SecretAccessKey: created.AccessKey.SecretAccessKey }) : undefined;
  if (!newId || !secretValue) throw new Error('CreateAccessKey returned no key');
  // Journaled before the next provider call: if the process dies from here on, a re-run knows this key exists.
  const createdAt = created.AccessKey?.CreateDate ? iso(created.AccessKey.CreateDate) : null;
  await progress?.({ step: 'created', user_name: st.user_name, old_access_key_id: st.access_key_id, new_access_key_id: newId, new_key_created: createdAt });
  const region = sinkCfg.region ?? ctx.options.region;
  const sm = s.secrets(region, sinkCfg.endpoint ?? ctx.options.secrets_manager?.endpoint);
  const name = sinkCfg.name_template.replace('{account}', t.tenant).replace('{user}', st.user_name);
  let sinkArn: string | undefined; let version: string | undefined;
  try {
    try {
      const r = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretValue }), { abortSignal: signal });
      sinkArn = r.ARN; version = r.VersionId;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const r = await sm.send(new CreateSecretCommand({ Name: name, SecretString: secretValue, Description: `Access key of IAM user ${st.user_name}, rotated by nhi-recon`, Tags: [{ Key: 'managed-by', Value: 'nhi-recon' }] }), { abortSignal: signal });
      sinkArn = r.ARN; version = r.VersionId;
    }
  } catch (e) {
    // The new key must not outlive a failed hand-over: nobody could ever read its secret.
    secretValue = undefined;
    await s.iam.send(new DeleteAccessKeyCommand({ UserName: st.user_name, AccessKeyId: newId }), { abortSignal: signal }).catch(() => undefined);
    throw new Error(`the new access key could not be stored in Secrets Manager (${(e as Error).name}); it was deleted again and the old key left untouched`);
  }
  secretValue = undefined;
  await progress?.({ step: 'stored', user_name: st.user_name, old_access_key_id: st.access_key_id, new_access_key_id: newId, new_key_created: createdAt, sink_secret_arn: sinkArn ?? null, sink_version_id: version ?? null });
  await s.iam.send(new UpdateAccessKeyCommand({ UserName: st.user_name, AccessKeyId: st.access_key_id, Status: 'Inactive' }), { abortSignal: signal });
  return { old_access_key_id: st.access_key_id, new_access_key_id: newId, sink_secret_arn: sinkArn ?? null, sink_version_id: version ?? null, old_status: 'Inactive' };
}

async function verify(ctx: Ctx, op: string, t: Target): Promise<{ ok: boolean; evidence: Record<string, unknown> }> {
  const after = await read(ctx, t);
  const ev = { exists: after.exists, active: after.active, ...after.state };
  switch (op) {
    case 'deactivate-access-key': return { ok: !after.active, evidence: ev };
    case 'rotate-access-key': {
      if (after.active) return { ok: false, evidence: ev };
      const s = await session(ctx, t.tenant);
      const { all } = await findKey(s.iam, String(after.state.user_name ?? locate(t).principalName), t, ctx.signal);
      const replacement = all.find((k) => k.Status === 'Active' && k.AccessKeyId !== after.state.access_key_id);
      return { ok: !!replacement, evidence: { ...ev, replacement_access_key_id: replacement?.AccessKeyId ?? null, replacement_created: replacement?.CreateDate ? iso(replacement.CreateDate) : null } };
    }
    case 'rotate-secret': {
      const since = executedAt.get(t.ref) ?? ctx.now;
      const last = after.state.last_rotated ? new Date(String(after.state.last_rotated)) : null;
      // Rotation runs asynchronously at AWS: done when it is dated after the action and no version is pending.
      return { ok: !!last && last.getTime() >= Math.floor(since.getTime() / 1000) * 1000 && !after.state.pending, evidence: ev };
    }
    default: return { ok: !after.exists, evidence: ev };
  }
}

async function rollback(ctx: Ctx, op: string, t: Target, before: TargetState): Promise<Record<string, unknown>> {
  const s = await session(ctx, t.tenant);
  const st = before.state as Record<string, any>;
  const signal = ctx.signal;
  switch (op) {
    case 'deactivate-access-key':
    case 'rotate-access-key': {
      if (!before.active) return { unchanged: true };
      await s.iam.send(new UpdateAccessKeyCommand({ UserName: st.user_name, AccessKeyId: st.access_key_id, Status: 'Active' }), { abortSignal: signal });
      return { access_key_id: st.access_key_id, status: 'Active', ...(op === 'rotate-access-key' ? { note: 'the new key stays active and in the sink' } : {}) };
    }
    case 'detach-managed-policy': {
      const cmd = st.principal_type === 'user' ? new AttachUserPolicyCommand({ UserName: st.principal_name, PolicyArn: st.policy_arn }) : new AttachRolePolicyCommand({ RoleName: st.principal_name, PolicyArn: st.policy_arn });
      await s.iam.send(cmd as any, { abortSignal: signal });
      return { attached: st.policy_arn };
    }
    case 'delete-inline-policy': {
      if (!st.document) throw new NotReversibleError('the before-state holds no policy document');
      const doc = JSON.stringify(st.document);
      const cmd = st.principal_type === 'user' ? new PutUserPolicyCommand({ UserName: st.principal_name, PolicyName: st.policy_name, PolicyDocument: doc }) : new PutRolePolicyCommand({ RoleName: st.principal_name, PolicyName: st.policy_name, PolicyDocument: doc });
      await s.iam.send(cmd as any, { abortSignal: signal });
      return { restored_inline_policy: st.policy_name };
    }
    case 'remove-user-from-group': {
      await s.iam.send(new AddUserToGroupCommand({ UserName: st.principal_name, GroupName: st.group_name }), { abortSignal: signal });
      return { added: st.principal_name, group: st.group_name };
    }
  }
  throw new NotReversibleError(`${op} cannot be undone (a deleted key, password or a completed rotation does not come back)`);
}

/**
 * Settles a rotation that died between its intent and its outcome. Stored in the sink: the hand-over happened, so it
 * is finished (old key deactivated). Created but not stored: nobody can ever read the new key's secret, so it is
 * deleted and the rotation runs again. Nothing journaled: a key of the user created after the intent can only be the
 * lost CreateAccessKey's (its id never reached the journal), so it is deleted too. Never leaves two active keys.
 */
async function recover(ctx: Ctx, op: string, t: Target, before: TargetState, interrupted: Interrupted): Promise<Recovered | undefined> {
  if (op !== 'rotate-access-key') return undefined;
  const s = await session(ctx, t.tenant);
  const st = before.state as Record<string, any>;
  const p = interrupted.progress ?? {};
  const signal = ctx.signal;
  const userName = String(p.user_name ?? st.user_name ?? locate(t).principalName);
  if (p.step === 'stored') {
    const { all } = await findKey(s.iam, userName, t, signal).catch(() => ({ all: [] as { AccessKeyId?: string; Status?: string }[] }));
    const old = all.find((k) => k.AccessKeyId === p.old_access_key_id);
    if (old?.Status === 'Active') await s.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: String(p.old_access_key_id), Status: 'Inactive' }), { abortSignal: signal });
    return { outcome: 'done', result: { old_access_key_id: p.old_access_key_id, new_access_key_id: p.new_access_key_id, sink_secret_arn: p.sink_secret_arn ?? null, sink_version_id: p.sink_version_id ?? null, old_status: 'Inactive' } };
  }
  const r = await s.iam.send(new ListAccessKeysCommand({ UserName: userName }), { abortSignal: signal });
  const keys = r.AccessKeyMetadata ?? [];
  let orphans: string[];
  if (p.step === 'created' && p.new_access_key_id) orphans = keys.some((k) => k.AccessKeyId === p.new_access_key_id) ? [String(p.new_access_key_id)] : [];
  else {
    // AWS dates keys to the second: anything created from the intent's second on, other than the key being rotated.
    const since = interrupted.intent_at ? Math.floor(interrupted.intent_at.getTime() / 1000) * 1000 : Infinity;
    orphans = keys.filter((k) => k.AccessKeyId && k.AccessKeyId !== st.access_key_id && k.CreateDate && k.CreateDate.getTime() >= since).map((k) => k.AccessKeyId!);
  }
  if (!orphans.length && p.step !== 'created') return undefined;
  for (const id of orphans) await s.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: id }), { abortSignal: signal });
  return { outcome: 'undone', evidence: { deleted_orphan_access_key_ids: orphans, reason: 'created by the interrupted rotation but never stored in the sink: its secret is lost' } };
}

export const remediation: Remediation<AwsOptions> = { actions: ACTIONS, read, execute, recover, verify, rollback };
