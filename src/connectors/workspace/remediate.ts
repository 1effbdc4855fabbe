// Remediation of Workspace OAuth grants: revoke one user's token for one client (tokens.delete), verified by reading
// it back (tokens.get answers 404). Not reversible: only the user can consent to the app again.
import { NotReversibleError, type ActionSpec, type ConnectorContext, type Remediation, type Target, type TargetState, type Verification } from '../types.js';
import { createClients, isNotFound } from './clients.js';
import { Token } from './schema.js';
import type { WorkspaceOptions } from './options.js';

type Ctx = ConnectorContext<WorkspaceOptions>;

export const ACTIONS: ActionSpec[] = [
  { operation: 'revoke-oauth-token', kind: 'revoke', subject: 'credential', kinds: ['oauth_token'], reversible: false,
    description: "Revoke a user's OAuth token for one client (tokens.delete); the app loses that user's data until the user consents again." },
];

interface TokenTarget { userKey: string; clientId: string }

function tokenTarget(target: Target): TokenTarget {
  const a = (target.attributes ?? {}) as { user_email?: string; user_id?: string; client_id?: string };
  const userKey = a.user_id ?? a.user_email;
  if (!userKey || !a.client_id) throw new Error(`credential ${target.ref} lacks user_id/user_email or client_id: cannot locate its token`);
  return { userKey, clientId: a.client_id };
}

async function read(ctx: Ctx, target: Target): Promise<TargetState> {
  if (target.subject !== 'credential' || target.kind !== 'oauth_token') throw new Error(`workspace cannot read a ${target.subject} of kind ${target.kind ?? '(none)'}`);
  const t = tokenTarget(target);
  const c = await createClients(ctx, ctx.http(target.tenant));
  try {
    const { data } = await c.directory.tokens.get({ userKey: t.userKey, clientId: t.clientId });
    const tok = Token.parse(data);
    return { exists: true, active: true, last_used_at: null,
      state: { user_key: t.userKey, client_id: tok.clientId, display_text: tok.displayText, scopes: tok.scopes, anonymous: tok.anonymous, native_app: tok.nativeApp } };
  } catch (e) {
    if (isNotFound(e)) return { exists: false, active: false, last_used_at: null, state: { user_key: t.userKey, client_id: t.clientId } };
    throw e;
  }
}

async function execute(ctx: Ctx, operation: string, target: Target, before: TargetState): Promise<Record<string, unknown>> {
  if (operation !== 'revoke-oauth-token') throw new Error(`unknown workspace operation ${operation}`);
  if (!before.exists) return { skipped: 'token no longer exists' };
  const t = tokenTarget(target);
  const c = await createClients(ctx, ctx.http(target.tenant));
  try {
    await c.directory.tokens.delete({ userKey: t.userKey, clientId: t.clientId });
  } catch (e) {
    // Revoked by someone else since the before-read: the outcome wanted; verify decides.
    if (!isNotFound(e)) throw e;
  }
  return { revoked: { user_key: t.userKey, client_id: t.clientId, scopes: before.state.scopes ?? [] } };
}

async function verify(ctx: Ctx, operation: string, target: Target): Promise<Verification> {
  const after = await read(ctx, target);
  const evidence: Record<string, unknown> = { exists: after.exists, ...after.state };
  if (operation !== 'revoke-oauth-token') return { ok: false, evidence: { ...evidence, error: `unknown operation ${operation}` } };
  return { ok: !after.exists, evidence };
}

async function rollback(_ctx: Ctx, operation: string): Promise<Record<string, unknown>> {
  throw new NotReversibleError(`${operation} cannot be undone: only the user can authorise the app again`);
}

export const remediation: Remediation<WorkspaceOptions> = { actions: ACTIONS, read, execute, verify, rollback };
