// Issue 16: Entra remediation through the real Graph client against the simulator, each verified by reading back and
// rolled back from the journaled before-state.
import { describe, expect, it } from 'vitest';
import { connector } from '../../../src/connectors/azure/index.js';
import type { AzureOptions } from '../../../src/connectors/azure/clients.js';
import type { Target } from '../../../src/connectors/types.js';
import { buildContext } from '../../../src/pipeline/collect.js';
import { silentLogger } from '../../../src/log.js';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { MS, T, id, startSim } from './fixture.js';

const rem = connector.remediation!;

async function setup() {
  const dir = tempDir();
  const { sim, source, env } = await startSim(dir);
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [source], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env });
  expect(outcomes.every((o) => o.status === 'complete')).toBe(true);
  const ctx = buildContext(loaded.config.sources[0]!, loaded.sourceOptions.get('az') as AzureOptions,
    { runId: 'remediation', log: silentLogger, now: new Date(), env, signal: new AbortController().signal, cache: null });
  const target = async (subject: 'entitlement' | 'identity', where: string, params: string[]): Promise<Target> => {
    const table = subject === 'entitlement' ? 'entitlements' : 'identities';
    const rows = await store.all<Record<string, unknown>>(`SELECT * FROM ${table} WHERE run_id = $1 AND tenant = $2 AND ${where}`, [runId, T, ...params]);
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    return { provider: 'azure', tenant: r.tenant as string, source: 'az', subject, ref: r.ref as string, kind: (r.kind as string) ?? null,
      identity_ref: (r.identity_ref as string) ?? null, resource_ref: (r.resource_ref as string) ?? null, permission: (r.permission as string) ?? null,
      attributes: JSON.parse(r.attributes as string) };
  };
  const grantOf = (clientId: string) => sim.estate.oauth2PermissionGrants!.filter((g) => g.clientId === clientId);
  return { sim, ctx, target, grantOf };
}

describe('azure remediation of Entra grants', () => {
  it('revoke-delegated-scope removes only the judged scope (PATCH), verified; rollback puts it back', async () => {
    const { ctx, target, grantOf } = await setup();
    const t = await target('entitlement', `ref = $3`, [`azure:${T}/oauth2PermissionGrants/${id.grantCrm}/Mail.Read`]);
    const before = await rem.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { grant_id: id.grantCrm, scope: 'User.Read Mail.Read offline_access' } });
    expect(await rem.verify(ctx, 'revoke-delegated-scope', t)).toMatchObject({ ok: false });
    expect(await rem.execute(ctx, 'revoke-delegated-scope', t, before)).toEqual({ grant_id: id.grantCrm, removed_scope: 'Mail.Read', deleted_grant: false, remaining_scopes: ['User.Read', 'offline_access'] });
    expect(grantOf(id.spCrm).map((g) => g.scope)).toEqual(['User.Read offline_access']);
    expect(await rem.verify(ctx, 'revoke-delegated-scope', t)).toMatchObject({ ok: true, evidence: { exists: false } });
    // The other scopes of the same consent are untouched.
    expect(await rem.read(ctx, await target('entitlement', `ref = $3`, [`azure:${T}/oauth2PermissionGrants/${id.grantCrm}/User.Read`]))).toMatchObject({ exists: true });
    await rem.rollback!(ctx, 'revoke-delegated-scope', t, before);
    expect(grantOf(id.spCrm).map((g) => g.scope)).toEqual(['User.Read Mail.Read offline_access']);
    expect(await rem.read(ctx, t)).toMatchObject({ exists: true, active: true });
  });

  it('revoke-delegated-scope deletes the grant with its last scope; rollback re-creates it from the before-state', async () => {
    const { ctx, target, grantOf } = await setup();
    const files = await target('entitlement', `ref = $3`, [`azure:${T}/oauth2PermissionGrants/${id.grantNotesBob}/Files.ReadWrite.All`]);
    const offline = await target('entitlement', `ref = $3`, [`azure:${T}/oauth2PermissionGrants/${id.grantNotesBob}/offline_access`]);
    const b1 = await rem.read(ctx, files);
    await rem.execute(ctx, 'revoke-delegated-scope', files, b1);
    const b2 = await rem.read(ctx, offline);
    expect(b2.state.scope).toBe('offline_access');
    expect(await rem.execute(ctx, 'revoke-delegated-scope', offline, b2)).toMatchObject({ deleted_grant: true });
    expect(grantOf(id.spNotes)).toEqual([]);
    expect(await rem.verify(ctx, 'revoke-delegated-scope', offline)).toMatchObject({ ok: true, evidence: { exists: false, read_back: { grant_exists: false } } });
    // Undo in reverse order: the grant comes back (a new id, the same consent), then the first scope joins it.
    await rem.rollback!(ctx, 'revoke-delegated-scope', offline, b2);
    await rem.rollback!(ctx, 'revoke-delegated-scope', files, b1);
    const [g] = grantOf(id.spNotes);
    expect(g).toMatchObject({ consentType: 'Principal', principalId: id.bob, resourceId: id.msGraph });
    expect(g!.id).not.toBe(id.grantNotesBob);
    expect(g!.scope.split(' ').sort()).toEqual(['Files.ReadWrite.All', 'offline_access']);
    expect(await rem.read(ctx, files)).toMatchObject({ exists: true, active: true });
  });

  it('remove-app-role-assignment: gone on read-back; rollback re-assigns the same app role', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('entitlement', `ref = $3`, [`azure:${T}/sp/${id.spCrm}/appRoleAssignments/${id.araCrmMail}`]);
    const before = await rem.read(ctx, t);
    expect(before).toMatchObject({ exists: true, state: { assignment_id: id.araCrmMail, app_role_id: MS.role.mailReadWrite } });
    await expect(rem.execute(ctx, 'revoke-delegated-scope', t, before)).rejects.toThrow(/not a delegated grant/);
    await rem.execute(ctx, 'remove-app-role-assignment', t, before);
    expect(sim.estate.appRoleAssignments!.some((a) => a.principalId === id.spCrm)).toBe(false);
    expect(await rem.verify(ctx, 'remove-app-role-assignment', t)).toMatchObject({ ok: true });
    await rem.rollback!(ctx, 'remove-app-role-assignment', t, before);
    expect(sim.estate.appRoleAssignments!.find((a) => a.principalId === id.spCrm)).toMatchObject({ resourceId: id.msGraph, appRoleId: MS.role.mailReadWrite });
    expect(await rem.read(ctx, t)).toMatchObject({ exists: true, active: true });
  });

  it('disable-service-principal: accountEnabled false on read-back; rollback re-enables; refused for a managed identity', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('identity', `ref = $3`, [`azure:${T}/sp/${id.spCrm}`]);
    const before = await rem.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true });
    await rem.execute(ctx, 'disable-service-principal', t, before);
    expect(sim.estate.servicePrincipals.find((s) => s.id === id.spCrm)!.accountEnabled).toBe(false);
    expect(await rem.verify(ctx, 'disable-service-principal', t)).toEqual({ ok: true, evidence: { exists: true, account_enabled: false } });
    await rem.rollback!(ctx, 'disable-service-principal', t, before);
    expect(await rem.read(ctx, t)).toMatchObject({ exists: true, active: true });
    const mi = await target('identity', `ref = $3`, [`azure:${T}/sp/${id.mi}`]);
    await expect(rem.execute(ctx, 'disable-service-principal', mi, await rem.read(ctx, mi))).rejects.toThrow(/not a service principal/);
  });

  it('remove-federated-credential: the flexible credential is gone; rollback re-creates it with its expression (beta)', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('entitlement', `json_extract_string(attributes, '$.fic_id') = $3`, [id.ficLegacy]);
    const before = await rem.read(ctx, t);
    expect(before.state).toMatchObject({ name: 'github-any-repo', subject: null, claims_matching_expression: { value: "claims['sub'] matches 'repo:contoso/*'" } });
    await rem.execute(ctx, 'remove-federated-credential', t, before);
    expect(sim.estate.federatedCredentials!.some((f) => f.applicationId === id.appLegacy)).toBe(false);
    expect(await rem.verify(ctx, 'remove-federated-credential', t)).toMatchObject({ ok: true });
    await rem.rollback!(ctx, 'remove-federated-credential', t, before);
    expect(sim.estate.federatedCredentials!.find((f) => f.applicationId === id.appLegacy)).toMatchObject({ name: 'github-any-repo', subject: null, claimsMatchingExpression: { value: "claims['sub'] matches 'repo:contoso/*'" } });
    expect(await rem.read(ctx, t)).toMatchObject({ exists: true });
    // A managed identity's credential lives in ARM: refused before any call.
    const mi = await target('entitlement', `json_extract_string(attributes, '$.object') = 'managedIdentity'`, []);
    await expect(rem.execute(ctx, 'remove-federated-credential', mi, before)).rejects.toThrow(/managed identity/);
  });
});
