import { describe, expect, it } from 'vitest';
import { collectWs, rows, startSim, type Harness } from './harness.js';
import { connector } from '../../../src/connectors/workspace/index.js';
import { WorkspaceOptions } from '../../../src/connectors/workspace/options.js';
import type { ConnectorContext, Target } from '../../../src/connectors/types.js';
import { DEFAULT_RETRY, newCounters } from '../../../src/connectors/http/fetch.js';
import { silentLogger } from '../../../src/log.js';
import { ADMIN, CLIENTS, CUSTOMER_ID } from '../../../src/sim/workspace/seed.js';

const r = connector.remediation!;

function ctxFor(h: Harness): ConnectorContext<WorkspaceOptions> {
  return {
    runId: 'r1', source: { name: 'ws', type: 'workspace', tenants: [] },
    options: WorkspaceOptions.parse({ key_file_env: 'WS_KEY_FILE', subject: ADMIN, api_endpoint: h.sim.url, token_url: `${h.sim.url}/token` }),
    log: silentLogger, now: new Date(), env: h.env, signal: new AbortController().signal,
    http: () => ({ counters: newCounters(), cache: null, retry: { ...DEFAULT_RETRY, retries: 1, baseDelayMs: 5 }, concurrency: 4 }),
  };
}

/** The credential as the core hands it over: built from the collected row. */
async function tokenTarget(h: Harness, email: string, client: string): Promise<Target> {
  const { store, runId } = await collectWs(h);
  const row = (await rows(store, 'credentials', runId, `ref = 'workspace:${CUSTOMER_ID}/users/${email}/tokens/${client}'`))[0]!;
  return { provider: 'workspace', tenant: row.tenant as string, source: 'ws', subject: 'credential', ref: row.ref as string, kind: row.kind as string,
    identity_ref: row.identity_ref as string, resource_ref: null, permission: null, attributes: JSON.parse(row.attributes as string) };
}

describe('workspace remediation: revoke a user\'s token for a client, verified by reading back', () => {
  it('revokes dave\'s SketchySync token, leaves every other token alone, and proves it is gone (tokens.get → 404)', async () => {
    const h = await startSim();
    const ctx = ctxFor(h);
    const t = await tokenTarget(h, 'dave@acme.example', CLIENTS.sketchy);
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { client_id: CLIENTS.sketchy, display_text: 'SketchySync',
      scopes: ['https://www.googleapis.com/auth/gmail.modify', 'https://www.googleapis.com/auth/drive'] } });
    const tokensBefore = h.sim.estate.users.map((u) => u.tokens.length);
    expect(await r.execute(ctx, 'revoke-oauth-token', t, before)).toMatchObject({ revoked: { user_key: '100000000000000000005', client_id: CLIENTS.sketchy } });
    expect(h.sim.log).toContain(`DELETE /admin/directory/v1/users/100000000000000000005/tokens/${CLIENTS.sketchy}`);
    const v = await r.verify(ctx, 'revoke-oauth-token', t);
    expect(v).toEqual({ ok: true, evidence: { exists: false, user_key: '100000000000000000005', client_id: CLIENTS.sketchy } });
    expect(h.sim.estate.users.map((u) => u.tokens.length)).toEqual(tokensBefore.map((n, i) => (i === 4 ? n - 1 : n)));
    await expect(r.rollback!(ctx, 'revoke-oauth-token', t, before)).rejects.toThrow(/cannot be undone/);
  });

  it('verification fails while the token still answers; a token already gone is skipped, not re-deleted', async () => {
    const h = await startSim();
    const ctx = ctxFor(h);
    const t = await tokenTarget(h, 'bob@acme.example', CLIENTS.mailmerge);
    // The DELETE is lost (the provider answers 204 but a replica still serves the token): verify must not pass.
    h.sim.faults.add({ kind: 'empty', match: 'DELETE ', times: 1 });
    const bob = h.sim.estate.users.find((u) => u.primaryEmail === 'bob@acme.example')!;
    const saved = [...bob.tokens];
    await r.execute(ctx, 'revoke-oauth-token', t, await r.read(ctx, t));
    bob.tokens = saved;
    expect((await r.verify(ctx, 'revoke-oauth-token', t)).ok).toBe(false);
    bob.tokens = bob.tokens.filter((x) => x.clientId !== CLIENTS.mailmerge);
    const gone = await r.read(ctx, t);
    expect(gone.exists).toBe(false);
    const deletes = h.sim.log.filter((l) => l.startsWith('DELETE')).length;
    expect(await r.execute(ctx, 'revoke-oauth-token', t, gone)).toEqual({ skipped: 'token no longer exists' });
    expect(h.sim.log.filter((l) => l.startsWith('DELETE')).length).toBe(deletes);
  });

  it('a revoke refused by the provider (admin without the Security privilege) throws, and nothing is claimed', async () => {
    const h = await startSim();
    const ctx = ctxFor(h);
    const t = await tokenTarget(h, 'carol@acme.example', CLIENTS.mailmerge);
    const before = await r.read(ctx, t);
    h.sim.estate.privileges['admin@acme.example'] = { users: true, security: false };
    await expect(r.execute(ctx, 'revoke-oauth-token', t, before)).rejects.toThrow(/Not Authorized/);
    expect(h.sim.estate.users.find((u) => u.primaryEmail === 'carol@acme.example')!.tokens).toHaveLength(1);
  });

  it('declares one irreversible credential action for oauth tokens', () => {
    expect(r.actions).toEqual([expect.objectContaining({ operation: 'revoke-oauth-token', kind: 'revoke', subject: 'credential', kinds: ['oauth_token'], reversible: false })]);
  });
});
