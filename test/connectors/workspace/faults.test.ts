// Faults end complete (retried) or explicitly partial/failed, naming the call; nothing collected is wrong, and a
// partial collection never resolves a finding about what it could not see.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { attrs, collectWs, estateWithKey, rows, source, startSim } from './harness.js';
import { CUSTOMER_ID } from '../../../src/sim/workspace/seed.js';
import { openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';

const refs = async (store: Awaited<ReturnType<typeof collectWs>>['store'], table: string, runId: string) => (await rows(store, table, runId)).map((r) => r.ref as string);

describe('workspace faults', () => {
  it('429, 403 userRateLimitExceeded and 5xx are retried and the collection ends complete and equal', async () => {
    const clean = await startSim();
    const base = await collectWs(clean);
    const h = await startSim();
    h.sim.faults.add({ kind: 'throttle', match: '/tokens', retryAfter: 0, times: 3 });
    h.sim.faults.add({ kind: 'status', status: 503, match: /GET \/admin\/directory\/v1\/users\?.*pageToken/, times: 2 });
    h.sim.faults.add({ kind: 'status', status: 500, match: 'POST /token', times: 1 });
    h.sim.faults.add({ kind: 'throttle', status: 403, match: '/users/100000000000000000008/tokens', times: 1 });
    const { store, runId, outcomes } = await collectWs(h);
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([['complete', null]]);
    expect(h.sim.faults.injected).toBe(7);
    for (const t of ['identities', 'credentials', 'entitlements']) expect(await refs(store, t, runId)).toEqual(await refs(base.store, t, base.runId));
  });

  it('a truncated users page is read again, not parsed short', async () => {
    const h = await startSim();
    h.sim.faults.add({ kind: 'truncate', match: /GET \/admin\/directory\/v1\/users\?.*pageToken/, times: 1 });
    const { store, runId, outcomes } = await collectWs(h);
    expect(outcomes.map((o) => o.status)).toEqual(['complete']);
    expect((await rows(store, 'credentials', runId)).length).toBe(8);
  });

  it('403 on one user\'s tokens (outside the admin\'s units) makes the tenant partial, naming the call; the rest is kept', async () => {
    const h = await startSim(estateWithKey(), { tokensForbiddenFor: ['bob@acme.example'] });
    const { store, runId, outcomes } = await collectWs(h);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/^tokens\.list\(userKey=bob@acme\.example\): HTTP 403 \(forbidden\): Not Authorized to access this resource\/api$/);
    const creds = await refs(store, 'credentials', runId);
    expect(creds.some((r) => r.includes('/users/bob@'))).toBe(false);
    expect(creds.filter((r) => r.includes('/users/carol@'))).toHaveLength(1);
    // MailMerge is still held by carol: one holder seen, but the tenant is partial, so nobody may act on "one user".
    const mm = (await rows(store, 'identities', runId, "name = 'MailMerge Pro'"))[0]!;
    expect(attrs(mm).users).toBe(1);
  });

  it('a malformed tokens answer for one user is a named gap, never an empty token list', async () => {
    const h = await startSim();
    h.sim.faults.add({ kind: 'malformed', match: '/users/100000000000000000004/tokens', times: Infinity });
    const { store, runId, outcomes } = await collectWs(h);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/^tokens\.list\(userKey=carol@acme\.example\): /);
    expect((await rows(store, 'credentials', runId)).length).toBe(7);
  });

  it('an admin without the Security privilege (the user.security scope) gets users but no tokens: partial, every call named', async () => {
    const estate = estateWithKey();
    estate.privileges['admin@acme.example'] = { users: true, security: false };
    const h = await startSim(estate);
    const { store, runId, outcomes } = await collectWs(h);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/tokens\.list\(userKey=admin@acme\.example\): HTTP 403/);
    expect(outcomes[0]!.error).toMatch(/and 3 more$/);
    expect((await rows(store, 'credentials', runId)).length).toBe(0);
  });

  it('a delegation without the scopes asked for fails the source with the provider\'s reason', async () => {
    const estate = estateWithKey();
    estate.delegations[0]!.scopes = ['https://www.googleapis.com/auth/admin.directory.user.readonly'];
    const h = await startSim(estate);
    const { outcomes } = await collectWs(h);
    expect(outcomes.map((o) => [o.tenant, o.status])).toEqual([['*', 'failed']]);
    expect(outcomes[0]!.error).toMatch(/unauthorized_client/);
  });

  it('a users listing refused on its first page fails the tenant (never an empty estate)', async () => {
    const h = await startSim();
    h.sim.faults.add({ kind: 'status', status: 403, match: 'GET /admin/directory/v1/users?', times: 1 });
    const { outcomes } = await collectWs(h, { tenants: [CUSTOMER_ID] });
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([['failed', `users.list(customer=${CUSTOMER_ID}): HTTP 403 (forbidden): Not Authorized to access this resource/api`]]);
  });

  it('a malformed users page is named: the first fails the tenant, a later one makes it partial', async () => {
    const h = await startSim();
    h.sim.faults.add({ kind: 'malformed', match: /pageToken/, times: Infinity, after: 1 });
    const r1 = await collectWs(h);
    expect(r1.outcomes[0]!.status).toBe('partial');
    expect(r1.outcomes[0]!.error).toMatch(/^users\.list\(customer=C03acme01\) page 3: unreadable answer/);
    const f = await startSim();
    f.sim.faults.add({ kind: 'malformed', match: 'GET /admin/directory/v1/users?', times: 1 });
    const r2 = await collectWs(f, { tenants: [CUSTOMER_ID] });
    expect(r2.outcomes.map((o) => o.status)).toEqual(['failed']);
    expect(r2.outcomes[0]!.error).toMatch(/^users\.list\(customer=C03acme01\): unreadable answer/);
  });

  it('a users listing that fails later, or never ends, keeps what it read and ends partial', async () => {
    const h = await startSim();
    h.sim.faults.add({ kind: 'status', status: 500, match: /pageToken/, times: Infinity, after: 1 });
    const r1 = await collectWs(h);
    expect(r1.outcomes[0]!.status).toBe('partial');
    expect(r1.outcomes[0]!.error).toMatch(/users\.list\(customer=C03acme01\) page 3: HTTP 500/);
    expect((await rows(r1.store, 'credentials', r1.runId)).map((r) => attrs(r).user_email)).not.toContain('grace@acme.example');
    const e = await startSim(estateWithKey(), { endlessPaging: true });
    const r2 = await collectWs(e, {}, { max_pages: 5 });
    expect(r2.outcomes[0]!.status).toBe('partial');
    expect(r2.outcomes[0]!.error).toMatch(/did not end after 5 pages \(options\.max_pages\)/);
  });

  it('a finding about a token its partial collection could not see stays open', async () => {
    const h = await startSim();
    const dir = tempDir();
    writeFileSync(join(dir, 'people.yaml'), stringify({ people: [{ id: 'dave', name: 'Dave Dodd', email: 'dave@acme.example', status: 'departed', departed_at: '2026-01-01', logins: { workspace: ['dave@acme.example'] } }] }));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [source(h, { tenants: [CUSTOMER_ID] })], authority: { people: 'people.yaml', required: false } });
    const r1 = await collectStage(store, loaded, { env: h.env, log: silentLogger }).then((r) => ({ runId: r.run.run_id, outcomes: r.outcomes }));
    await reconcileStage(store, loaded, r1.runId);
    const q = "SELECT status FROM findings WHERE rule_id = 'departed-person-access' AND subject_ref LIKE '%/users/dave@acme.example/tokens/%' AND run_id = $1";
    expect((await store.all(q, [r1.runId])).map((r) => r.status)).toEqual(['new']);
    h.sim.faults.add({ kind: 'status', status: 500, match: '/users/100000000000000000005/tokens', times: Infinity });
    const r2 = await collectStage(store, loaded, { env: h.env, log: silentLogger }).then((r) => ({ runId: r.run.run_id, outcomes: r.outcomes }));
    expect(r2.outcomes[0]!.status).toBe('partial');
    await reconcileStage(store, loaded, r2.runId);
    const after = await store.all("SELECT status FROM findings WHERE rule_id = 'departed-person-access' AND subject_ref LIKE '%/users/dave@acme.example/tokens/%' ORDER BY last_seen DESC");
    expect(after.length).toBeGreaterThan(0);
    expect(after.map((r) => r.status)).not.toContain('resolved');
    // The contrast: once a complete collection no longer sees the token, the same finding resolves.
    h.sim.faults.clear();
    h.sim.estate.users.find((u) => u.primaryEmail === 'dave@acme.example')!.tokens = [];
    const r3 = await collectStage(store, loaded, { env: h.env, log: silentLogger });
    expect(r3.outcomes[0]!.status).toBe('complete');
    await reconcileStage(store, loaded, r3.run.run_id);
    const last = await store.all("SELECT status FROM findings WHERE rule_id = 'departed-person-access' AND subject_ref LIKE '%/users/dave@acme.example/tokens/%'");
    expect(last.map((r) => r.status)).toContain('resolved');
  });
});
